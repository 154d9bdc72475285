"""`manage.py import_shelters PATH [PATH...] [--no-progress] [--municipality CODE]` (docs/shelter-import.md)."""

from django.core.management.base import BaseCommand, CommandError

from toki.areas.commands import municipality_option
from toki.areas.selectors import district_locator
from toki.shelters.actions import ShelterImportConflict, import_shelters
from toki.shelters.importing import ShelterFileError, read_shelter_file


class ProgressBar:
    """A plain-text bar on stderr, `label [#####-----] 40/86`, redrawn in place; silent when disabled."""

    WIDTH = 30

    def __init__(self, stream, label: str, enabled: bool):
        self.stream, self.label, self.enabled = stream, label, enabled
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        filled = self.WIDTH * done // total
        if filled == self.shown and done != total:
            return
        self.shown = filled
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}", style_func=str,  # plain, not the error colour
                          ending="\n" if done == total else "")
        self.stream.flush()


class Command(BaseCommand):
    help = ("Import designated shelters from GSI GeoJSON/CSV or the 自治体標準オープンデータセット CSV. "
            "Idempotent: keyed on 共通ID. A file with any bad row is not imported at all.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="GeoJSON or CSV files")
        parser.add_argument("--municipality", metavar="CODE",
                            help="全国地方公共団体コード (6 digits); default: the default municipality")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, paths, municipality=None, no_progress=False, **options):
        target = municipality_option(municipality)
        locator = district_locator(target)
        # Check every file before writing any, so one bad file stops the whole run with nothing written.
        parsed = []
        for path in paths:
            try:
                parsed.append(read_shelter_file(path, municipality=target, locator=locator))
            except ShelterFileError as exc:
                raise CommandError(str(exc)) from exc
        show = not no_progress and self.stderr.isatty()
        for item in parsed:
            bar = ProgressBar(self.stderr, item.path.name, show)
            try:
                result = import_shelters(item.rows, acting_user=None, municipality=target,
                                         source=item.format.source, file_name=item.path.name,
                                         file_format=item.format.label, progress=bar)
            except ShelterImportConflict as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(self.style.SUCCESS(
                f"{item.path.name}: {item.format.label} ({item.encoding}), {result.total} rows: "
                f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
                + (f"; {result.joined} joined a place already listed" if result.joined else "")
            ))
