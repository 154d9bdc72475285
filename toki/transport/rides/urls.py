from django.urls import path

from toki.transport.rides import views, views_calls, views_desk, views_driver, views_ops

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
    path("desk/<slug:area_code>/riders/<int:pk>/suspensions/<int:suspension_pk>/lift/", views_desk.suspension_lift,
         name="suspension_lift"),
    path("desk/<slug:area_code>/bookings/<int:pk>/cancel/", views_desk.booking_cancel, name="booking_cancel"),
    path("desk/<slug:area_code>/bookings/<int:pk>/no-show/", views_desk.booking_no_show, name="booking_no_show"),
    path("desk/<slug:area_code>/calls/", views_calls.calls, name="calls"),
    path("desk/<slug:area_code>/calls/<int:pk>/", views_calls.called, name="called"),
    path("ops/<slug:area_code>/", views_ops.board, name="board"),
    path("ops/<slug:area_code>/kpis.csv", views_ops.kpi_csv, name="kpi_csv"),
    path("ops/<slug:area_code>/tablets/", views_driver.tablets, name="tablets"),
    path("driver/", views_driver.tablet, name="driver"),
    path("driver/enrol/<str:token>/", views_driver.enrol, name="driver_enrol"),
    path("driver/plan.json", views_driver.plan, name="driver_plan"),
    path("driver/events", views_driver.events, name="driver_events"),
    path("driver/position", views_driver.position, name="driver_position"),
    path("driver/sw.js", views_driver.service_worker, name="driver_sw"),
    path("driver/manifest.webmanifest", views_driver.manifest, name="driver_manifest"),
    path("<slug:area_code>/", views.book, name="book_area"),
]
