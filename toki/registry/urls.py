from django.urls import path

from toki.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.index, name="index"),
    path("districts/<int:district_id>/", views.district, name="district"),
]
