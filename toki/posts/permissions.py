"""Who may do what with citizen posts, in one place (DESIGN.md). Anyone may submit a post (rate limited per
address and device, not a permission); moderators, HQ editors and admins, see the queue, approve, reject and hide."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role


def may_moderate(user) -> bool:
    """Moderators are editors (or admins) of the disaster HQ."""
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ,))
