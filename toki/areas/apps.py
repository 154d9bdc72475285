from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "toki.areas"
    verbose_name = "Areas"
