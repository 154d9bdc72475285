"""Who may do what in the HQ module (issue 6 item 7). One place, used by actions, selectors and views."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role, memberships_of

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


def may_read_distress_messages(user) -> bool:
    """See the possible calls for help (救助要請の可能性) on the board: HQ members (viewer and up) only, not every
    unit that reads the incident: the texts are people's own words."""
    return has_role(user, Role.VIEWER, kinds=HQ_KINDS)


def may_give_instructions(user) -> bool:
    """Give or cancel instructions: HQ editors and admins."""
    return has_role(user, Role.EDITOR, kinds=HQ_KINDS)


def may_write_chronology(user) -> bool:
    """Write chronology entries by hand and annotate entries: HQ members from reporter up."""
    return has_role(user, Role.REPORTER, kinds=HQ_KINDS)


def is_addressee(user, instruction) -> bool:
    """Is `user` the person the instruction is addressed to, or a reporter (or above) of its org unit?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if instruction.to_user_id is not None:
        return instruction.to_user_id == user.pk
    return any(m.org_unit_id == instruction.to_org_unit_id and m.allows(Role.REPORTER) for m in memberships_of(user))


def may_answer_instruction(user, instruction) -> bool:
    """Acknowledge, start and report done: the addressee, or HQ (editors and admins) on their behalf."""
    return is_addressee(user, instruction) or may_give_instructions(user)
