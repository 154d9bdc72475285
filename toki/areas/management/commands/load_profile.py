"""`manage.py load_profile PATH [--no-default]`: load a municipality profile (docs/areas.md)."""

from django.core.management.base import BaseCommand, CommandError

from toki.areas.actions import ProfileError, load_profile


class Command(BaseCommand):
    help = "Load or update a municipality profile (districts, boundaries, offices) from a JSON file. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the profile file, e.g. profiles/sado.json")
        parser.add_argument("--no-default", action="store_true",
                            help="do not make this municipality the default one")

    def handle(self, *args, path, no_default=False, **options):
        try:
            municipality = load_profile(path, acting_user=None, make_default=not no_default)
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        districts = list(municipality.districts.all())
        approximate = sum(d.boundary_is_approximate for d in districts)
        default = " (default)" if municipality.is_default else ""
        self.stdout.write(self.style.SUCCESS(
            f"loaded {municipality.name} ({municipality.code}){default}: {len(districts)} districts "
            f"({approximate} with approximate boundaries), {municipality.offices.count()} offices"
        ))
