from django.urls import path

from toki.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("shelters/", views.shelters, name="shelters"),
    path("language/<str:code>/", views.choose_language, name="choose_language"),
]
