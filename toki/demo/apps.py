from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "toki.demo"
    verbose_name = "Demo"
