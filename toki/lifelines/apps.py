from django.apps import AppConfig


class LifelinesConfig(AppConfig):
    name = "toki.lifelines"
    verbose_name = "Lifelines"
