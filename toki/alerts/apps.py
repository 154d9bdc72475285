from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "toki.alerts"
    verbose_name = "Alerts"
