from django.apps import AppConfig


class SheltersConfig(AppConfig):
    name = "toki.shelters"
    verbose_name = "Shelters"
