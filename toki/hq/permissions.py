"""Who may do what in the HQ module (issue 6 item 7). One place, used by actions, selectors and views."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role

HQ_KINDS = (OrgUnit.Kind.HQ,)
# Org units whose members take part in incident work: they read the incident, file reports, answer instructions.
STAFF_KINDS = (OrgUnit.Kind.HQ, OrgUnit.Kind.BRANCH_OFFICE, OrgUnit.Kind.AGENCY, OrgUnit.Kind.DEPARTMENT,
               OrgUnit.Kind.SHELTER_TEAM)


def may_manage_incidents(user) -> bool:
    """Open, change and close incidents: HQ editors and admins."""
    return has_role(user, Role.EDITOR, kinds=HQ_KINDS)


def may_read_incidents(user) -> bool:
    """Any member (viewer or above) of an org unit that takes part in incident work."""
    return has_role(user, Role.VIEWER, kinds=STAFF_KINDS)
