from django.urls import path

from toki.registry import views, views_activation, views_log, views_refresh, views_safety

app_name = "registry"
urlpatterns = [
    path("", views.index, name="index"),
    path("districts/<int:district_id>/", views.district, name="district"),
    path("districts/<int:district_id>/export/", views.export, name="export_create"),
    path("exports/<int:pk>/", views.export_download, name="export"),
    path("activations/", views_activation.activations, name="activations"),
    path("activations/<int:pk>/", views_activation.activation, name="activation"),
    path("access-log/", views_log.access_log, name="access_log"),
    path("refreshes/", views_refresh.refreshes, name="refreshes"),
    path("refreshes/<int:pk>/", views_refresh.refresh_page, name="refresh"),
    path("safety/", views_safety.rounds, name="safety_rounds"),
    path("safety/<int:pk>/", views_safety.round_page, name="safety_round"),
    path("safety/<int:pk>/districts/<int:district_id>/", views_safety.round_district, name="safety_district"),
    path("safety/<int:pk>/people/<int:person_id>/", views_safety.record, name="safety_record"),
]
