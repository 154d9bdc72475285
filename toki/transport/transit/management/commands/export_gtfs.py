from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from toki.areas.selectors import default_municipality
from toki.transport.transit.exporting import export_zip
from toki.transport.transit.selectors import feed_of


class Command(BaseCommand):
    help = "Write the municipality's GTFS-JP feed to a zip file."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        feed = feed_of(default_municipality())
        if feed is None:
            raise CommandError("no feed has been imported")
        Path(path).write_bytes(export_zip(feed))
        self.stdout.write(f"wrote {path}")
