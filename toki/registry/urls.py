from django.urls import path

from toki.registry import views, views_activation

app_name = "registry"
urlpatterns = [
    path("", views.index, name="index"),
    path("districts/<int:district_id>/", views.district, name="district"),
    path("activations/", views_activation.activations, name="activations"),
    path("activations/<int:pk>/", views_activation.activation, name="activation"),
]
