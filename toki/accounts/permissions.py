"""Who may do what in accounts (DESIGN.md: every permission rule of an app in its permissions.py)."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role


def may_unlock_logins(user) -> bool:
    """Lifting a login hold is for HQ administrators (and superusers)."""
    return has_role(user, Role.ADMIN, kinds=(OrgUnit.Kind.HQ,))


def can_view_audit(user) -> bool:
    """The audit trail is for HQ administrators (and superusers)."""
    return has_role(user, Role.ADMIN, kinds=(OrgUnit.Kind.HQ,))
