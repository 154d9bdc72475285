from django.urls import path

from toki.registry import views, views_activation, views_safety

app_name = "registry"
urlpatterns = [
    path("", views.index, name="index"),
    path("districts/<int:district_id>/", views.district, name="district"),
    path("activations/", views_activation.activations, name="activations"),
    path("activations/<int:pk>/", views_activation.activation, name="activation"),
    path("safety/", views_safety.rounds, name="safety_rounds"),
    path("safety/<int:pk>/", views_safety.round_page, name="safety_round"),
    path("safety/<int:pk>/districts/<int:district_id>/", views_safety.round_district, name="safety_district"),
    path("safety/<int:pk>/people/<int:person_id>/", views_safety.record, name="safety_record"),
]
