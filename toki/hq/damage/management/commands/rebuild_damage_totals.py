"""Recompute the denormalised totals and lifeline peaks of incidents from their report versions."""

from django.core.management.base import BaseCommand, CommandError

from toki.hq.damage import totals
from toki.hq.damage.selectors import active_definition
from toki.hq.models import Incident


class Command(BaseCommand):
    help = ("Recompute DamageTotal, LifelineLevel and LifelinePeak from the DamageCount rows (after a bulk load "
            "or a restore). Idempotent; safe while reports are filed (each incident is locked while rebuilt).")

    def add_arguments(self, parser):
        parser.add_argument("incident", nargs="*", type=int, help="incident ids (default: every incident)")

    def handle(self, *args, incident, **options):
        definition = active_definition()
        if definition is None:
            raise CommandError("no damage form is loaded (manage.py load_damage_form)")
        incidents = Incident.objects.filter(pk__in=incident) if incident else Incident.objects.all()
        for each in incidents:
            totals.rebuild(each, definition.definition.ids_with("peak"))
            self.stdout.write(f"incident {each.pk}: rebuilt")
