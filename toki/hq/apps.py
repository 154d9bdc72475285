from django.apps import AppConfig


class HqConfig(AppConfig):
    name = "toki.hq"
    verbose_name = "Disaster HQ"
    # The chronology hears of alerts, orders and shelter openings through toki/hq/subscribers.py (ADR 0007).
