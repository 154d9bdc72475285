from django.urls import path

from toki.transport.transit import views

app_name = "transit"

urlpatterns = [
    path("gtfs/gtfs-jp.zip", views.gtfs_feed, name="gtfs"),
    path("gtfs-rt/vehicle-positions.pb", views.realtime_feed, {"kind": "vehicle-positions"},
         name="rt_vehicle_positions"),
    path("gtfs-rt/trip-updates.pb", views.realtime_feed, {"kind": "trip-updates"}, name="rt_trip_updates"),
    path("gtfs-rt/service-alerts.pb", views.realtime_feed, {"kind": "service-alerts"}, name="rt_service_alerts"),
    path("vehicles/position", views.vehicle_position, name="vehicle_position"),
    path("manage/", views.manage, name="manage"),
    path("manage/import/", views.manage_import, name="manage_import"),
    path("manage/vehicles/", views.manage_vehicle, name="manage_vehicle"),
]
