from django.urls import path

from toki.portal import views, views_alerts, views_shelters, views_tourist, views_transit

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("shelters/", views.shelters, name="shelters"),
    path("shelters/register/", views_shelters.pre_register, name="preregister"),
    path("shelters/register/card/", views_shelters.preregistration_card, name="preregistration_card"),
    path("shelters/register/card.png", views_shelters.preregistration_qr_png, name="preregistration_qr_png"),
    path("shelters/safety/", views_shelters.safety_search, name="safety_search"),
    path("warnings/", views_alerts.warnings_page, name="warnings"),
    path("departures/", views_transit.departures, name="departures"),
    path("departures/<str:stop_id>/", views_transit.stop_departures, name="stop_departures"),
    path("tourist/", views_tourist.tourist, name="tourist"),
    path("tourist/<str:code>/", views_tourist.tourist_in, name="tourist_in"),
    path("live.json", views.live_version, name="live"),
    path("language/<str:code>/", views.choose_language, name="choose_language"),
    path("prepare/", views.preparedness, name="preparedness"),
    path("opendata/", views.opendata_index, name="opendata"),
    path("opendata/shelters.csv", views.shelters_csv, name="shelters_csv"),
    path("opendata/shelters.geojson", views.shelters_geojson, name="shelters_geojson"),
]
