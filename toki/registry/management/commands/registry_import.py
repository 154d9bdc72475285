"""Import a CSV from the welfare/resident systems into the register (layout and criteria: docs/registry.md).

    manage.py registry_import FILE --by USERNAME [--encoding cp932]

Prints counts only (never a row's content); on a bad file prints each problem as file:row: field: reason and
writes nothing.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from toki.accounts.models import User
from toki.areas.models import Municipality
from toki.registry.importing import RegistryImportError, import_csv
from toki.registry.permissions import may_keep_register


class Command(BaseCommand):
    help = "Import people from a welfare/resident-system CSV into the register (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--by", required=True, help="the registry officer responsible (username)")
        parser.add_argument("--encoding", default="utf-8", help="utf-8 (BOM or not) or cp932")

    def handle(self, *args, file, by, encoding, **options):
        actor, path = officer_and_file(by, file)
        municipality = _municipality()
        try:
            result = import_csv(actor=actor, data=path.read_bytes(), file_name=path.name,
                                municipality=municipality, encoding=encoding)
        except RegistryImportError as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            raise CommandError(f"{path.name}: {len(error.errors)} problem(s); nothing was imported") from None
        self.stdout.write(f"created {result.created}, updated {result.updated}, not meeting the criteria "
                          f"{result.not_meeting_criteria}, in a facility {result.in_facility}")


def officer_and_file(by: str, file: str) -> tuple[User, Path]:
    """The registry officer named by --by and the input file, or a CommandError saying which is wrong."""
    actor = User.objects.filter(username=by, is_active=True).first()
    if actor is None or not may_keep_register(actor):
        raise CommandError(f"{by!r} is not an active registry officer")
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"{path.name}: no such file")
    return actor, path


def _municipality() -> Municipality:
    import json

    code = json.loads(Path(settings.TOKI_MUNICIPALITY_PROFILE).read_text(encoding="utf-8")).get("code")
    municipality = Municipality.objects.filter(code=code).first() if code else Municipality.objects.first()
    if municipality is None:
        raise CommandError("no municipality is loaded (run load_profile first)")
    return municipality
