"""Who may do what with deliveries, in one place (DESIGN.md): HQ members of any role see the delivery outbox and
its KPIs; HQ editors and admins retry failed batches. Anyone else gets nothing (a 404)."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role


def may_view_deliveries(user) -> bool:
    """The delivery outbox, its batches and KPIs: HQ members of any role."""
    return has_role(user, Role.VIEWER, kinds=(OrgUnit.Kind.HQ,))


def may_retry_deliveries(user) -> bool:
    """Send a failed batch again: HQ editors and admins."""
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ,))


def may_manage_test_audience(user) -> bool:
    """See and change who receives drills and tests: HQ editors and admins."""
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ,))
