from django.urls import path

from toki.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.staff_alerts, name="staff_alerts"),
    path("orders/", views.orders, name="orders"),
    path("orders/lift/", views.lift_orders, name="lift_orders"),
]
