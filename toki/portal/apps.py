from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "toki.portal"
    verbose_name = "Portal"
    # The static 軽量版 republishes on other apps' domain events: toki/portal/subscribers.py (ADR 0007).
