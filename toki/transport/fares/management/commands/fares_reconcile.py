"""Reconcile payments from the provider's events (docs/fares.md "Payments"): every event of the last days is
applied once (`ProviderEvent` keyed on its id), so a purchase paid while its webhook was lost is recorded, and
one already recorded is not doubled. Idempotent; `--loop` runs it periodically; two at once are safe."""

import time

from django.core.management.base import BaseCommand, CommandError

from toki.lib.periodic import every
from toki.transport.fares.actions import reconcile
from toki.transport.fares.payments import ProviderError, get_provider


class Command(BaseCommand):
    help = "Apply the payment provider's recent events that were not recorded (lost webhooks)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="how far back to list the provider's events")
        parser.add_argument("--provider", default=None, help="provider name (default: TOKI_FARES_PAYMENT_PROVIDER)")
        parser.add_argument("--loop", action="store_true", help="run forever")
        parser.add_argument("--interval", type=float, default=600.0, help="seconds between runs with --loop")

    def handle(self, *args, days=3, provider=None, loop=False, interval=600.0, **options):
        if not 1 <= days <= 30:
            raise CommandError("--days: between 1 and 30 (Stripe keeps events for 30 days)")

        def once():
            if not get_provider(provider).configured:
                self.stdout.write("fares_reconcile: no payment provider configured, nothing to do")
                return
            try:
                counts = reconcile(provider_name=provider, since=int(time.time()) - days * 86400)
            except ProviderError as error:
                raise CommandError(str(error)) from None
            self.stdout.write("fares_reconcile: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                                                    or "no events"))

        if loop:
            every(interval, "fares_reconcile", once)
        once()
