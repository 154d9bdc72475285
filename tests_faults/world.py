"""The suite's data, written through the real actions: the Sado profile and personas, `count` LINE subscribers
(toki.notify.tests.broadcast_scenario), an open incident and an opened shelter of carol's team.

    python -m tests_faults.world --subscribers 4000      # prints the ids as JSON
"""

import json
import os
import sys


def seed(count: int, password: str) -> dict:
    from django.conf import settings
    from django.utils import timezone

    from toki.accounts.models import OrgUnit
    from toki.areas.actions import load_profile
    from toki.demo.personas import create_personas
    from toki.hq.actions import open_incident
    from toki.notify.tests.broadcast_scenario import seed as seed_subscribers
    from toki.shelters.actions import openings
    from toki.shelters.actions.master import link_shelter_team
    from toki.shelters.tests.world import make_shelter

    seed_subscribers(count, order=False)  # the profile, the personas (a random password) and the subscribers
    municipality = load_profile(settings.TOKI_MUNICIPALITY_PROFILE)
    users = create_personas(municipality, password)  # idempotent: returns them
    for user in (users["alice"], users["carol"]):  # the suite logs in as they do, with its own password
        user.set_password(password)
        user.save(update_fields=["password"])
    districts = list(municipality.districts.all())
    incident = open_incident(acting_user=users["alice"], municipality=municipality, name="令和8年 大雨（障害試験）",
                             kind="heavy_rain", started_at=timezone.now(), districts=districts,
                             hq_level="disaster_hq")
    shelter = make_shelter(municipality, "E1522400009111", "両津小学校体育館", 38.0790, 138.4370, capacity=10)
    link_shelter_team(acting_user=None, org_unit=OrgUnit.objects.get(kind=OrgUnit.Kind.SHELTER_TEAM),
                      shelter=shelter)
    opening = openings.open_shelter(acting_user=users["alice"], shelter=shelter, incident=incident)
    return {"incident": incident.pk, "opening": opening.pk, "shelter": shelter.name, "subscribers": count,
            "districts": [d.pk for d in districts]}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toki.settings")
    import django

    django.setup()
    print(json.dumps(seed(int(sys.argv[sys.argv.index("--subscribers") + 1]), os.environ["FAULTS_PASSWORD"])))
