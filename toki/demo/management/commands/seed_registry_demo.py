"""Load the registry demo (needs TOKI_REGISTRY_KEYS and TOKI_REGISTRY_INDEX_KEY; run after seed_demo)."""

from django.core.management.base import BaseCommand, CommandError

from toki.areas.selectors import default_municipality
from toki.demo.management.commands.seed_demo import DEMO_PASSWORD
from toki.demo.registry import create_registry_demo
from toki.registry.crypto_errors import RegistryKeyError


class Command(BaseCommand):
    help = "Load a made-up Sado register and mina, a 民生委員 of 相川. Idempotent."

    def handle(self, *args, **options):
        municipality = default_municipality()
        if municipality is None:
            raise CommandError("run seed_demo first")
        try:
            create_registry_demo(municipality, DEMO_PASSWORD)
        except RegistryKeyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS("loaded the registry demo (mina / the demo password)"))
