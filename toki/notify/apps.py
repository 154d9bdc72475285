from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "toki.notify"
    verbose_name = "Notifications"
