"""The people of Toki's demo and tests (DESIGN.md rule 9), created through the accounts actions."""

from dataclasses import dataclass

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.areas.models import District, Municipality


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    org_unit: str | None
    org_kind: str | None
    role: str | None
    district_code: str | None = None  # limits the membership to one district
    org_district_code: str | None = None  # the district the org unit itself belongs to


PERSONAS = (
    Persona("alice", "防災課 アリス", "佐渡市災害対策本部", OrgUnit.Kind.HQ, Role.ADMIN),
    Persona("bob", "両津支所 ボブ", "両津支所", OrgUnit.Kind.BRANCH_OFFICE, Role.REPORTER, "ryotsu", "ryotsu"),
    Persona("carol", "避難所運営 キャロル", "両津小学校 避難所運営班", OrgUnit.Kind.SHELTER_TEAM, Role.EDITOR,
            None, "ryotsu"),
    Persona("dave", "民生委員 デイブ", "佐渡市社会福祉協議会", OrgUnit.Kind.WELFARE, Role.EDITOR, "aikawa"),
    Persona("eve", "部外者 イブ", None, None, None),
)


def create_personas(municipality: Municipality, password: str) -> dict:
    """Create (or find) every persona's user, org unit and membership; return users by username."""
    districts = {d.code: d for d in District.objects.filter(municipality=municipality)}
    users = {}
    for persona in PERSONAS:
        user = account_actions.ensure_user(
            acting_user=None, username=persona.username, display_name=persona.display_name, password=password
        )
        if persona.org_unit:
            org_unit = account_actions.ensure_org_unit(
                acting_user=None, name=persona.org_unit, kind=persona.org_kind,
                district=districts.get(persona.org_district_code),
            )
            account_actions.grant_membership(
                acting_user=None, user=user, org_unit=org_unit, role=persona.role,
                district=districts.get(persona.district_code),
            )
        users[persona.username] = user
    return users
