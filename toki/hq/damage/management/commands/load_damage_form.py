"""Load a damage form definition file (docs/damage-reports.md): validate everything, then store it once."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from toki.hq.damage.actions import load_definition
from toki.hq.damage.definition import DefinitionError

BUNDLED = Path(__file__).resolve().parents[2] / "definitions"


class Command(BaseCommand):
    help = "Validate and store a 第4号様式 form definition (JSON). Loading the same file again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help=f"a definition file, or the name of one in {BUNDLED}")
        parser.add_argument("--activate", action="store_true",
                            help="make it the definition new reports and the live aggregate use")

    def handle(self, *args, file, activate, **options):
        path = Path(file)
        if not path.exists() and (BUNDLED / file).exists():
            path = BUNDLED / file
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{file}: cannot read: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f"line {exc.lineno} column {exc.colno}: " if isinstance(exc, json.JSONDecodeError) else ""
            raise CommandError(f"{file}: not valid JSON: {where}{exc}") from None
        try:
            definition, created = load_definition(acting_user=None, doc=doc, activate=activate)
        except DefinitionError as exc:
            lines = "\n".join(f"  {file}: {error}" for error in exc.errors)
            raise CommandError(f"{file}: {len(exc.errors)} problem(s), nothing was stored:\n{lines}") from None
        state = "loaded" if created else "already loaded, unchanged"
        active = " (active)" if definition.active else ""
        self.stdout.write(f"{definition.code} {definition.version}: {state}{active}, "
                          f"{len(definition.spec['items'])} items")
