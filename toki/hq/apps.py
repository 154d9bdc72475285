from django.apps import AppConfig


class HqConfig(AppConfig):
    name = "toki.hq"
    verbose_name = "Disaster HQ"
