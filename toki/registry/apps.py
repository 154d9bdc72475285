from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "toki.registry"
    verbose_name = "Registry of people who need support to evacuate"
