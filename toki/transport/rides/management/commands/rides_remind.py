"""Send the shared-ride reminders that are due (docs/rides.md, "Reminders"): the evening before and when the vehicle
is near, to riders who booked through LINE. Idempotent: each booking is reminded once per kind, however often this
runs and however many run at once (notify's unique dedupe key)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from toki.lib.periodic import every
from toki.transport.rides.reminders import send_reminders


class Command(BaseCommand):
    help = "Send the shared-ride reminders that are due (the evening before, the vehicle near)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run forever")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds with --loop")
        parser.add_argument("--now", default="", help="run once as if it were this time (ISO 8601 with its offset, "
                                                       "e.g. 2026-12-07T18:30+09:00): a back-fill after downtime")

    def handle(self, *args, loop=False, interval=60.0, now="", **options):
        at = _time(now)
        if at is not None and loop:
            raise CommandError("--now runs once: it cannot be combined with --loop")

        def once():
            sent = send_reminders(at)
            if options["verbosity"] > 1 or (options["verbosity"] and (sent.evening or sent.near)):
                self.stdout.write(f"rides_remind: evening {sent.evening}, near {sent.near}")

        if loop:
            every(interval, "rides_remind", once)
        once()


def _time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now {value!r} is not an ISO 8601 time (e.g. 2026-12-07T18:30+09:00)") from None
    if at.tzinfo is None:
        raise CommandError(f"--now {value!r} needs its UTC offset (e.g. +09:00)")
    return at
