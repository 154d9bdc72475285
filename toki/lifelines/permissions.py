"""Who may do what with lifelines, in one place (DESIGN.md). The public reads every lifeline's status.

- HQ editors and admins add and change lifelines and enter every lifeline's status (and import any).
- Editors (and admins) of a partner or agency org unit enter the status of the lifelines assigned to their unit
  (and import only those).
"""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role, memberships_of

# The org units that can be responsible for a lifeline (a ferry company, the power utility …).
PARTNER_KINDS = (OrgUnit.Kind.PARTNER, OrgUnit.Kind.AGENCY)


def is_lifeline_hq(user) -> bool:
    """HQ editors (and admins) enter every lifeline's status and add or change lifelines."""
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ,))


def partner_org_unit_ids(user) -> set[int]:
    """The partner or agency org units in which `user` is an editor (or admin)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return {m.org_unit_id for m in memberships_of(user)
            if m.org_unit.kind in PARTNER_KINDS and m.allows(Role.EDITOR)}


def may_manage_lifelines(user) -> bool:
    """Sees the staff lifeline pages at all: HQ editors, or editors of a partner."""
    return is_lifeline_hq(user) or bool(partner_org_unit_ids(user))


def may_update_lifeline(user, lifeline) -> bool:
    """Enters a status report for this lifeline: HQ editors, or editors of the partner it is assigned to. `None`
    (a command or the importer run by the system) may."""
    if user is None:
        return True
    return is_lifeline_hq(user) or (lifeline.org_unit_id is not None
                                    and lifeline.org_unit_id in partner_org_unit_ids(user))
