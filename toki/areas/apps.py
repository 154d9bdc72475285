from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _forget_terms(**kwargs):
    from toki.areas.terms import forget

    forget()  # migrate and flush (between TransactionTestCases) change the municipalities wholesale


class AreasConfig(AppConfig):
    name = "toki.areas"
    verbose_name = "Areas"

    def ready(self):
        post_migrate.connect(_forget_terms, sender=self, dispatch_uid="toki.areas.forget_terms")
