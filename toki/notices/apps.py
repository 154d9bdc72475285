from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "toki.notices"
    verbose_name = "Notices"
