from django.urls import path

from toki.transport.rides import views, views_calls, views_desk, views_ops

app_name = "rides"
urlpatterns = [
    path("", views.book, name="book"),
    path("gtfs-flex.zip", views.gtfs_flex, name="gtfs_flex"),
    path("b/<str:reference>/", views.booking, name="booking"),
    path("b/<str:reference>/cancel/", views.cancel, name="cancel"),
    path("desk/", views_desk.index, name="desk_index"),
    path("desk/<slug:area_code>/", views_desk.desk, name="desk"),
    path("desk/<slug:area_code>/riders/new/", views_desk.rider_new, name="rider_new"),
    path("desk/<slug:area_code>/riders/<int:pk>/", views_desk.rider, name="rider"),
    path("desk/<slug:area_code>/riders/<int:pk>/trips/", views_desk.usual_trip_new, name="usual_trip_new"),
    path("desk/<slug:area_code>/bookings/<int:pk>/cancel/", views_desk.booking_cancel, name="booking_cancel"),
    path("desk/<slug:area_code>/bookings/<int:pk>/no-show/", views_desk.booking_no_show, name="booking_no_show"),
    path("desk/<slug:area_code>/calls/", views_calls.calls, name="calls"),
    path("desk/<slug:area_code>/calls/<int:pk>/", views_calls.called, name="called"),
    path("ops/<slug:area_code>/", views_ops.board, name="board"),
    path("ops/<slug:area_code>/kpis.csv", views_ops.kpi_csv, name="kpi_csv"),
    path("<slug:area_code>/", views.book, name="book_area"),
]
