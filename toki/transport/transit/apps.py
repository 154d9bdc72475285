from django.apps import AppConfig


class TransitConfig(AppConfig):
    name = "toki.transport.transit"
    label = "transit"
    verbose_name = "Transit (GTFS-JP, GTFS-Realtime)"
