from django.apps import AppConfig


class HqConfig(AppConfig):
    name = "toki.hq"
    verbose_name = "Disaster HQ"

    def ready(self):
        from toki.hq import signals  # noqa: F401  (connects the chronology listeners)
