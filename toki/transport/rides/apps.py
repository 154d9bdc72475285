from django.apps import AppConfig


class RidesConfig(AppConfig):
    name = "toki.transport.rides"
    label = "rides"
    verbose_name = "Shared rides on demand"
