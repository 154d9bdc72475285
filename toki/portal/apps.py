from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "toki.portal"
    verbose_name = "Portal"
