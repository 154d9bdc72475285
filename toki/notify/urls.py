from django.urls import path

from toki.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.deliveries, name="deliveries"),
    path("<int:pk>/", views.notification_detail, name="notification"),
    path("batches/<int:pk>/retry/", views.retry, name="retry"),
    path("kpi.json", views.kpi_json, name="kpi_json"),
    path("test-audience/", views.test_audience, name="test_audience"),
    path("test-audience/<int:pk>/remove/", views.test_audience_remove, name="test_audience_remove"),
]
