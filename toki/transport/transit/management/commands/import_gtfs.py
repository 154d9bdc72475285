import io
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from toki.areas.selectors import default_municipality
from toki.transport.transit.actions import import_feed
from toki.transport.transit.reading import FeedInvalid


def zip_bytes(path: Path) -> bytes:
    """A feed zip as it is, or a folder of GTFS .txt files zipped in memory."""
    if path.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in sorted(path.glob("*.txt")):
                archive.write(member, member.name)
        return buffer.getvalue()
    return path.read_bytes()


class Command(BaseCommand):
    help = "Import a GTFS-JP feed (zip or folder); it replaces the municipality's feed, or nothing changes."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--demo", action="store_true", help="mark the feed as demo data")

    def handle(self, *args, path, demo=False, **options):
        municipality = default_municipality()
        if municipality is None:
            raise CommandError("no municipality: load a profile first")
        source = Path(path)
        if not source.exists():
            raise CommandError(f"{path}: no such file or folder")
        try:
            feed = import_feed(acting_user=None, municipality=municipality, data=zip_bytes(source), is_demo=demo)
        except FeedInvalid as error:
            raise CommandError("nothing imported:\n" + "\n".join(str(p) for p in error.problems)) from None
        self.stdout.write(f"imported {feed.version}: {feed.routes.count()} routes, {feed.trips.count()} trips")
