from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class KpiConfig(AppConfig):
    name = "toki.kpi"
    label = "kpi"
    verbose_name = "Plan KPIs"

    def ready(self):
        from toki.kpi.achievement import parse_bands

        try:
            parse_bands(settings.TOKI_KPI_BANDS)
        except ValueError as error:
            raise ImproperlyConfigured(f"TOKI_KPI_BANDS: {error}") from None
