"""`manage.py rides_export [AREA …] [--output FILE]`: the shared-ride service of the areas (all by default) as a
service file (docs/rides.md, "Setting up the service"); importing it again changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from toki.areas.commands import municipality_option
from toki.transport.rides import selectors_setup
from toki.transport.rides.models import ServiceArea
from toki.transport.rides.service_file import dumps


class Command(BaseCommand):
    help = "Write the shared-ride service of the areas as a JSON service file (to stdout or --output)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", metavar="AREA", help="area codes (default: every area)")
        parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")

    def handle(self, *args, codes=(), output=None, **options):
        municipality = municipality_option(None)
        areas = list(ServiceArea.objects.filter(municipality=municipality).select_related("district")
                     .order_by("code"))
        if codes:
            unknown = sorted(set(codes) - {a.code for a in areas})
            if unknown:
                raise CommandError(f"no area with the code {', '.join(unknown)}")
            areas = [a for a in areas if a.code in codes]
        text = dumps(selectors_setup.export_document(None, areas))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"{len(areas)} area(s) written to {output}")
        else:
            self.stdout.write(text, ending="")
