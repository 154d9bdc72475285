"""Who may do what on the portal's staff pages, in one place (DESIGN.md). Every public page is for everyone;
HQ editors and admins switch disaster mode; HQ members of any role read the portal KPIs."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role


def may_switch_mode(user) -> bool:
    """Disaster mode is switched by editors and admins of the disaster HQ."""
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ,))


def may_view_kpi(user) -> bool:
    """The portal KPIs (docs/portal-kpi.md): HQ members of any role."""
    return has_role(user, Role.VIEWER, kinds=(OrgUnit.Kind.HQ,))
