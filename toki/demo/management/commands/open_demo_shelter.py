"""Demo step: open a shelter in a drill incident, run by carol's shelter team (docs/shelter-ops.md, "Demo").

    manage.py open_demo_shelter [--shelter 両津小学校体育館] [--real] [--capacity 300]

Idempotent: links carol's org unit (kind shelter_team) to the shelter, reuses an active incident of the same name
and an opening that is already live. `seed_demo` opens nothing; `--real` makes the incident a non-drill one so
that the public portal shows the opening (drills never reach the public)."""

from django.core.management.base import BaseCommand, CommandError

from toki.accounts.models import OrgUnit, User
from toki.areas.selectors import default_municipality
from toki.demo.shelters import DEMO_SHELTER, DEMO_TEAM, demo_shelter, link_demo_team
from toki.hq.actions import open_incident
from toki.hq.models import Incident
from toki.shelters.actions.master import update_shelter_details
from toki.shelters.actions.openings import open_shelter
from toki.shelters.models import OpeningStatus, ShelterOpening

DRILL_NAME = "避難所開設訓練"
REAL_NAME = "大雨（デモ）"


class Command(BaseCommand):
    help = "Open a shelter for a (drill) incident in the demo, with carol's team linked to it."

    def add_arguments(self, parser):
        parser.add_argument("--shelter", default=DEMO_SHELTER, help="shelter name (exact)")
        parser.add_argument("--team", default=DEMO_TEAM, help="org unit (kind shelter_team)")
        parser.add_argument("--real", action="store_true", help="a real (non-drill) incident: shown publicly")
        parser.add_argument("--capacity", type=int, help="set the shelter's capacity (HQ master edit)")

    def handle(self, *args, **options):
        municipality = default_municipality()
        if municipality is None:
            raise CommandError("no municipality: run seed_demo first")
        shelter = demo_shelter(municipality, options["shelter"])
        if shelter is None:
            raise CommandError(f"no shelter named {options['shelter']!r}")
        hq_user = User.objects.filter(memberships__org_unit__kind=OrgUnit.Kind.HQ,
                                      memberships__role__in=("admin", "editor")).order_by("pk").first()
        if hq_user is None:
            raise CommandError("no HQ editor to open the incident (run seed_demo)")
        team = link_demo_team(shelter, options["team"])
        if options["capacity"] is not None:
            update_shelter_details(acting_user=None, shelter=shelter, capacity=options["capacity"])
        name = REAL_NAME if options["real"] else DRILL_NAME
        incident = Incident.objects.filter(municipality=municipality, name=name, ended_at__isnull=True).first()
        if incident is None:
            incident = open_incident(acting_user=hq_user, municipality=municipality, name=name,
                                     kind="heavy_rain", is_drill=not options["real"])
        opening = (ShelterOpening.objects.filter(shelter=shelter, incident=incident)
                   .exclude(status=OpeningStatus.CLOSED).first())
        if opening is None:
            opening = open_shelter(acting_user=None, shelter=shelter, incident=incident)
        self.stdout.write(f"opening {opening.pk}: {shelter.name} for {incident} "
                          f"(team: {team.name if team else 'none'})")
        return None
