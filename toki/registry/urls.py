"""Every registry page but the second-factor page itself asks registry users for a fresh second factor
(second_factor.required) and keeps their sessions short."""

from django.urls import path

from toki.registry import (
    views,
    views_activation,
    views_household,
    views_log,
    views_otp,
    views_refresh,
    views_safety,
    views_safety_sync,
)
from toki.registry.second_factor import required

app_name = "registry"
urlpatterns = [
    path("second-factor/", views_otp.second_factor_page, name="second_factor"),
    path("", required(views.index), name="index"),
    path("districts/<int:district_id>/", required(views.district), name="district"),
    path("districts/<int:district_id>/export/", required(views.export), name="export_create"),
    path("exports/<int:pk>/", required(views.export_download), name="export"),
    path("activations/", required(views_activation.activations), name="activations"),
    path("activations/<int:pk>/", required(views_activation.activation), name="activation"),
    path("access-log/", required(views_log.access_log), name="access_log"),
    path("refreshes/", required(views_refresh.refreshes), name="refreshes"),
    path("refreshes/<int:pk>/", required(views_refresh.refresh_page), name="refresh"),
    path("safety/", required(views_safety.rounds), name="safety_rounds"),
    path("safety/<int:pk>/", required(views_safety.round_page), name="safety_round"),
    path("safety/<int:pk>/districts/<int:district_id>/", required(views_safety.round_district),
         name="safety_district"),
    path("safety/<int:pk>/people/<int:person_id>/", required(views_safety.record), name="safety_record"),
    path("safety/mine/", required(views_safety_sync.mine), name="safety_mine"),
    path("safety/mine/sw.js", views_safety_sync.service_worker, name="safety_mine_sw"),
    path("safety/mine/list.json", required(views_safety_sync.mine_list), name="safety_mine_list"),
    path("safety/mine/events", required(views_safety_sync.mine_events), name="safety_mine_events"),
    path("people/<int:person_id>/supporters/", required(views_safety_sync.person_supporters),
         name="person_supporters"),
    path("people/<int:person_id>/household/", required(views_household.person_household),
         name="person_household"),
]
