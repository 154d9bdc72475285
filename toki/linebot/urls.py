from django.urls import path

from toki.linebot import views

app_name = "line"
urlpatterns = [
    path("webhook", views.webhook, name="webhook"),
    path("settings/<str:token>/", views.settings_page, name="settings"),
]
