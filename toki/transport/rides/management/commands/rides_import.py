"""`manage.py rides_import FILE [--dry-run] [--municipality CODE]`: set up the shared-ride service of the areas in a
service file (docs/rides.md, "Setting up the service"). All or nothing; importing the same file again changes
nothing. The messages are in English (the file's field names); the import page speaks the reader's language."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from toki.areas.commands import municipality_option
from toki.transport.rides import actions_setup, selectors_setup
from toki.transport.rides.service_file import MAX_FILE_BYTES, ServiceFileError, parse


class Command(BaseCommand):
    help = ("Import the shared-ride service of one or more areas from a JSON service file (docs/rides.md). "
            "All or nothing; idempotent (keyed on codes).")

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE", help="the service file (JSON)")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument("--municipality", metavar="CODE",
                            help="全国地方公共団体コード (6 digits); default: the default municipality")

    @no_translations
    def handle(self, *args, path, dry_run=False, municipality=None, **options):
        target = municipality_option(municipality)
        file = Path(path)
        try:
            with file.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
        try:
            areas = parse(data, district_codes=set(selectors_setup.district_codes(target)))
        except ServiceFileError as exc:
            raise CommandError(f"{file.name}: the file was not imported:\n{exc}") from None
        try:
            plan = actions_setup.import_service(acting_user=None, municipality=target, areas=areas,
                                                apply=not dry_run, source=f"file:{file.name}")
        except actions_setup.ServiceChangeRefused as exc:
            raise CommandError(f"{file.name}: nothing was changed:\n{exc}") from None
        for change in plan.changes:
            self.stdout.write(f"  {change}")
        counts = ", ".join(f"{plan.count(verb)} {word}" for verb, word in (
            ("create", "added"), ("update", "changed"), ("deactivate", "taken out of service"),
            ("delete", "removed")))
        codes = ", ".join(a.code for a in areas)
        if not plan.changes:
            self.stdout.write(self.style.SUCCESS(f"{file.name}: {codes}: no change"))
        elif dry_run:
            self.stdout.write(self.style.WARNING(f"{file.name}: {codes}: dry run, nothing written ({counts})"))
        else:
            self.stdout.write(self.style.SUCCESS(f"{file.name}: {codes}: {counts}"))

