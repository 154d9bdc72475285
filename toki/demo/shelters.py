"""The demo's shelter: 両津小学校体育館, run by carol's team (両津小学校 避難所運営班). `seed_demo` links the team to
it, so that carol finds shelter operations (and learns how a shelter opens) before anything is open;
`open_demo_shelter` opens it for an incident."""

from toki.accounts.models import OrgUnit
from toki.areas.models import Municipality
from toki.shelters.actions.master import link_shelter_team
from toki.shelters.models import Shelter

DEMO_SHELTER = "両津小学校体育館"
DEMO_TEAM = "両津小学校 避難所運営班"


def demo_shelter(municipality: Municipality, name: str = DEMO_SHELTER) -> Shelter | None:
    """The shelter of that name (a site listed both as 指定避難所 and 指定緊急避難場所: the 避難所 record)."""
    return Shelter.objects.filter(municipality=municipality, name=name).order_by(
        "-is_designated_shelter", "common_id").first()


def link_demo_team(shelter: Shelter, team_name: str = DEMO_TEAM) -> OrgUnit | None:
    """Link the shelter team (org unit of kind shelter_team) to the shelter; None when there is no such team."""
    team = OrgUnit.objects.filter(name=team_name, kind=OrgUnit.Kind.SHELTER_TEAM).first()
    if team is not None:
        link_shelter_team(acting_user=None, org_unit=team, shelter=shelter)
    return team
