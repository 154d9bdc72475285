"""Diff a new CSV from the welfare/resident systems against the register and hold it for approval on
/registry/refreshes/<id>/ (layout: docs/registry.md; an optional `left_reason` column says moved or died).

    manage.py registry_refresh FILE --by USERNAME [--encoding cp932]

Prints counts only; on a bad file prints each problem as file:row: field: reason and stages nothing.
"""


from django.core.management.base import BaseCommand, CommandError

from toki.registry.importing import RegistryImportError
from toki.registry.management.commands.registry_import import _municipality, officer_and_file
from toki.registry.refresh import stage_refresh


class Command(BaseCommand):
    help = "Diff a welfare/resident-system CSV against the register and hold it for approval."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--by", required=True, help="the registry officer responsible (username)")
        parser.add_argument("--encoding", default="utf-8", help="utf-8 (BOM or not) or cp932")

    def handle(self, *args, file, by, encoding, **options):
        actor, path = officer_and_file(by, file)
        try:
            refresh = stage_refresh(actor=actor, data=path.read_bytes(), file_name=path.name,
                                    municipality=_municipality(), encoding=encoding)
        except RegistryImportError as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            raise CommandError(f"{path.name}: {len(error.errors)} problem(s); nothing was staged") from None
        counts = refresh.counts
        self.stdout.write(f"refresh {refresh.pk}: new {counts['new']}, changed {counts['changed']}, left "
                          f"{counts['left']}, unchanged {counts['unchanged']}; approve it on "
                          f"/registry/refreshes/{refresh.pk}/")
