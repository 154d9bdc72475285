"""Import lifeline status reports from a CSV or JSON feed (columns in docs/lifelines.md).

    python manage.py import_lifelines PATH [--format csv|json] [--user USERNAME]

Every row is validated before anything is written: a bad row stops the import with its row, field and reason and
the command exits non-zero. Running it again with the same data adds nothing. Each import is one AuditEvent.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from toki.areas.selectors import default_municipality
from toki.lifelines.actions import import_lifelines
from toki.lifelines.importing import ImportFileError, read_rows, validate


class Command(BaseCommand):
    help = "Import lifeline status from a CSV or JSON file: all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="a .csv or .json file")
        parser.add_argument("--format", choices=("csv", "json"), help="default: from the file name's extension")
        parser.add_argument("--user", metavar="USERNAME",
                            help="the staff or partner user to record (and check permission) as the actor "
                                 "(default: the system)")

    def handle(self, *args, path, format, user, **options):
        path = Path(path)
        fmt = format or path.suffix.lower().lstrip(".")
        if fmt not in ("csv", "json"):
            raise CommandError(f"{path}: give --format csv or json (cannot tell from the file name)")
        acting_user = self._user(user)
        municipality = default_municipality()
        if municipality is None:
            raise CommandError("no municipality profile is loaded (manage.py seed_demo or load_profile)")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            rows = validate(read_rows(data, fmt), municipality=municipality, acting_user=acting_user)
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}; nothing was imported") from None
        result = import_lifelines(acting_user=acting_user, municipality=municipality, rows=rows, origin=path.name)
        self.stdout.write(f"{path}: {result.rows} row(s): {result.created_reports} new report(s), "
                          f"{result.unchanged} already recorded, {len(result.created_lifelines)} new lifeline(s)")

    def _user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--user {username!r}: no such active user")
        return user
