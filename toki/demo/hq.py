"""Demo people for the disaster-HQ module beyond the shared personas: a second branch office (相川支所) with a
reporter, so two branches can file damage reports and answer instructions in the demo and the browser tests.
The unit tests create the same account in toki/hq/tests/helpers.py."""

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.areas.models import District, Municipality

AIKAWA_OFFICE = "相川支所"
AIKAWA_REPORTER = ("frank", "相川支所 フランク")


def create_hq_demo_users(municipality: Municipality, password: str) -> dict:
    """Create (or find) 相川支所 and its reporter frank; return users by username. Idempotent."""
    aikawa = District.objects.filter(municipality=municipality, code="aikawa").first()
    office = account_actions.ensure_org_unit(acting_user=None, name=AIKAWA_OFFICE, kind=OrgUnit.Kind.BRANCH_OFFICE,
                                             district=aikawa)
    username, display_name = AIKAWA_REPORTER
    user = account_actions.ensure_user(acting_user=None, username=username, display_name=display_name,
                                       password=password)
    account_actions.grant_membership(acting_user=None, user=user, org_unit=office, role=Role.REPORTER,
                                     district=aikawa)
    return {username: user}
