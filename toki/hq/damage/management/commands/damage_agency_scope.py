"""Set the damage-report categories an external agency may file in (docs/damage-reports.md, "Roles")."""

from django.core.management.base import BaseCommand, CommandError

from toki.accounts.models import OrgUnit
from toki.hq.damage.actions import set_agency_scope
from toki.hq.damage.selectors import active_definition


class Command(BaseCommand):
    help = "Replace the categories an agency org unit may file damage reports in (none: may not file)."

    def add_arguments(self, parser):
        parser.add_argument("org_unit", help="the org unit's name (kind: external agency)")
        parser.add_argument("categories", nargs="*", help="category ids of the active form, e.g. power telecom")

    def handle(self, *args, org_unit, categories, **options):
        unit = OrgUnit.objects.filter(name=org_unit).first()
        if unit is None or unit.kind != OrgUnit.Kind.AGENCY:
            raise CommandError(f"{org_unit}: no external-agency org unit of that name")
        definition = active_definition()
        known = set(definition.definition.categories) if definition else set()
        unknown = [c for c in categories if c not in known]
        if unknown:
            raise CommandError(f"unknown categories: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        set_agency_scope(acting_user=None, org_unit=unit, categories=categories)
        self.stdout.write(f"{unit.name}: {', '.join(categories) or 'no categories'}")
