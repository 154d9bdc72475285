"""Who may do what with notices, in one place (DESIGN.md). The public reads published notices; editors and admins
of HQ or a department write, publish, edit and withdraw them (every municipality's notices: one profile per site)."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role


def may_manage_notices(user) -> bool:
    """Writing and publishing notices needs an editor (or admin) role in HQ or a department."""
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ, OrgUnit.Kind.DEPARTMENT))
