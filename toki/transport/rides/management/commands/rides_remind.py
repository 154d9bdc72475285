"""Send the shared-ride reminders that are due (docs/rides.md, "Reminders"): the evening before and when the vehicle
is near, to riders who booked through LINE. Idempotent: each booking is reminded once per kind, however often this
runs and however many run at once (notify's unique dedupe key)."""

from django.core.management.base import BaseCommand

from toki.lib.periodic import every
from toki.transport.rides.reminders import send_reminders


class Command(BaseCommand):
    help = "Send the shared-ride reminders that are due (the evening before, the vehicle near)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run forever")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds with --loop")

    def handle(self, *args, loop=False, interval=60.0, **options):
        def once():
            sent = send_reminders()
            if options["verbosity"] > 1 or (options["verbosity"] and (sent.evening or sent.near)):
                self.stdout.write(f"rides_remind: evening {sent.evening}, near {sent.near}")

        if loop:
            every(interval, "rides_remind", once)
        once()
