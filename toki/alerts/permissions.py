"""Who may do what with alerts, in one place (DESIGN.md): selectors, actions and views ask here.

- Staff of HQ or a branch office (any role) see drills, tests, the raw telegrams and the staff pages.
- HQ editors and admins issue and lift evacuation orders and import CAP messages.
- Everyone else sees the public alerts only (actual, not drills or tests).
"""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role


def is_alert_staff(user) -> bool:
    """Staff who may see drills, tests and the raw telegrams: any role in HQ or a branch office."""
    return has_role(user, Role.VIEWER, kinds=(OrgUnit.Kind.HQ, OrgUnit.Kind.BRANCH_OFFICE))


def may_issue_orders(user) -> bool:
    """Issuing or lifting an evacuation order needs an editor (or admin) role in the disaster HQ."""
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ,))


def can_import_cap(user) -> bool:
    """HQ editors and administrators (and superusers) may import CAP messages."""
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ,))
