from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from toki.areas.selectors import default_municipality
from toki.transport.transit.service_alerts import RulesInvalid, load_suspension_rules


class Command(BaseCommand):
    help = "Replace the route suspension rules with those of a JSON file (docs/transit.md), then apply them."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        municipality = default_municipality()
        if municipality is None:
            raise CommandError("no municipality: load a profile first")
        try:
            count = load_suspension_rules(acting_user=None, municipality=municipality,
                                          text=Path(path).read_text(encoding="utf-8"))
        except (OSError, RulesInvalid) as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(f"loaded {count} rules")
