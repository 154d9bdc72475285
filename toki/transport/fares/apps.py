from django.apps import AppConfig


class FaresConfig(AppConfig):
    """Island fares (issue 20, ADR 0009): residency by My Number card, signed cards and passes, the checker page,
    payments through provider plug-ins (docs/fares.md)."""

    name = "toki.transport.fares"
    label = "fares"
    verbose_name = "Fares"
    default_auto_field = "django.db.models.BigAutoField"
