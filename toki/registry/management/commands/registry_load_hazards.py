"""Load a hazard area layer (GeoJSON polygons) for the supporters' map (docs/registry.md).

    manage.py registry_load_hazards FILE --name NAME --hazard flood --source "…" --by USERNAME [--demo]

The whole file is checked first; every problem is printed as file: where: reason and nothing is written. A layer
of the same name is replaced."""

from django.core.management.base import BaseCommand, CommandError

from toki.registry.hazards import HazardFileError, load_layer
from toki.registry.management.commands.registry_import import _municipality, officer_and_file
from toki.registry.models_plans import HazardKind


class Command(BaseCommand):
    help = "Load a GeoJSON hazard area layer for the supporters' map (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name", required=True, help="the layer's name (a layer of that name is replaced)")
        parser.add_argument("--hazard", required=True, help=", ".join(HazardKind.values))
        parser.add_argument("--source", required=True, help="where the data comes from")
        parser.add_argument("--by", required=True, help="the registry officer responsible (username)")
        parser.add_argument("--demo", action="store_true", help="mark the layer as made-up demo data")

    def handle(self, *args, file, name, hazard, source, by, demo, **options):
        actor, path = officer_and_file(by, file)
        try:
            layer = load_layer(actor=actor, municipality=_municipality(), data=path.read_bytes(), name=name,
                               hazard=hazard, source=source, is_demo=demo)
        except HazardFileError as error:
            for problem in error.problems:
                self.stderr.write(f"{path.name}: {problem.where}: {problem.reason}")
            raise CommandError(f"{path.name}: {len(error.problems)} problem(s); nothing was loaded") from None
        self.stdout.write(f"loaded {len(layer.features)} area(s) into the layer {layer.pk}")
