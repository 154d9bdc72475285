"""Who may do what in shelter operations. One place, used by actions, selectors, views and the API.

- HQ editors and admins manage every shelter: master details, openings, answers to supply requests.
- Members (reporter or above) of a shelter_team org unit linked to a shelter (ShelterTeam) manage that shelter's
  openings and evacuees; viewers of such a unit may read them.
- HQ members of any role read every opening and may search people across shelters (audited).

Who may see a household's address (and phone, notes, members' care details: the full 避難者カード) is answered
here, by `may_see_household` and nothing else: HQ editors and admins, and reporters (or above) of the team of the
shelter whose opening the household belongs to; the household page (`selectors.get_household_for_user`) is the one
page that shows it, and every view of it is audited (`record_read`). Nobody else sees it: not viewers (the opening
page and the printed roster show names and counts), not the tablet's roster (names, kana, birth date, care codes),
not the duplicates page (a record's name, birth date and disclosure, under `may_see_record`), not the public
安否 search (shelter names only, with consent). The resident who pre-registered sees their own card (names and the
planned shelter) from their own browser session only (toki.portal.views_shelters).
"""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role, memberships_of

HQ_KINDS = (OrgUnit.Kind.HQ,)


def is_hq_manager(user) -> bool:
    return has_role(user, Role.EDITOR, kinds=HQ_KINDS)


def is_hq_reader(user) -> bool:
    return has_role(user, Role.VIEWER, kinds=HQ_KINDS)


def team_shelter_ids(user, minimum_role: str = Role.REPORTER) -> set[int]:
    """Ids of the shelters whose teams `user` belongs to with at least `minimum_role` (one query, cached)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cache = getattr(user, "_toki_shelter_teams", None)
    if cache is None:
        from toki.shelters.models import ShelterTeam

        unit_roles = {m.org_unit_id: m for m in memberships_of(user) if m.org_unit.kind == OrgUnit.Kind.SHELTER_TEAM}
        cache = list(ShelterTeam.objects.filter(org_unit_id__in=list(unit_roles)).values_list("org_unit_id",
                                                                                             "shelter_id"))
        cache = [(shelter_id, unit_roles[unit_id]) for unit_id, shelter_id in cache]
        user._toki_shelter_teams = cache
    return {shelter_id for shelter_id, membership in cache if membership.allows(minimum_role)}


def may_manage_shelter(user, shelter_id: int) -> bool:
    """Open/close, check people in and out, request supplies for this shelter."""
    return is_hq_manager(user) or shelter_id in team_shelter_ids(user)


def may_read_shelter(user, shelter_id: int) -> bool:
    return is_hq_reader(user) or shelter_id in team_shelter_ids(user, Role.VIEWER)


def may_use_shelter_ops(user) -> bool:
    """Sees the staff pages at all (HQ of any role, any shelter team member)."""
    return is_hq_reader(user) or bool(team_shelter_ids(user, Role.VIEWER))


def may_use_tablet(user) -> bool:
    """Checks people in (the tablet, the desk): HQ editors/admins, or reporters and above of a shelter team."""
    return is_hq_manager(user) or bool(team_shelter_ids(user))


def in_a_shelter_team(user) -> bool:
    """A member of a shelter team, linked to a shelter or not yet: /shelter-ops/ tells them what to do."""
    return user.is_authenticated and any(m.org_unit.kind == OrgUnit.Kind.SHELTER_TEAM for m in memberships_of(user))


def may_search_people(user) -> bool:
    """Search a person across every shelter: HQ members and shelter staff (reporter or above)."""
    return is_hq_reader(user) or bool(team_shelter_ids(user))


def may_see_record(user, record_shelters: set[int]) -> bool:
    """Sees a household record of a duplicate pair: HQ editors/admins, or a team of a shelter it is registered or
    planned at (a record of another shelter stays hidden from a team until HQ decides)."""
    return is_hq_manager(user) or bool(record_shelters & team_shelter_ids(user))


def may_merge_records(user, keep_shelters: set[int], other_shelters: set[int]) -> bool:
    """Merges two records into one person: HQ editors/admins always; a shelter team only when both records are
    registered or planned at shelters of its own (a merge across shelters, or with a record of no shelter, needs HQ:
    security issue 13, finding 5)."""
    if is_hq_manager(user):
        return True
    return bool(keep_shelters) and bool(other_shelters) and (keep_shelters | other_shelters) <= team_shelter_ids(user)


def may_see_household(user, opening) -> bool:
    """Sees a household's full 避難者カード (address, phone, members' details) at this opening, and edits it: those
    who manage the opening's shelter. The caller scopes the household to the opening (selectors)."""
    return may_manage_shelter(user, opening.shelter_id)


def may_resolve_duplicate(user, keep_shelters: set[int], other_shelters: set[int]) -> bool:
    """Decides about a pair at all (dismiss): HQ, or a team one of whose shelters holds one of the records."""
    return may_see_record(user, keep_shelters) or may_see_record(user, other_shelters)


def may_edit_shelter_master(user) -> bool:
    """Edit a shelter's master details (kind, capacity, contacts): HQ editors and admins."""
    return is_hq_manager(user)


def may_answer_supply_requests(user) -> bool:
    """Answer a shelter's supply request (accepted, delivered, declined): HQ editors and admins."""
    return is_hq_manager(user)


def may_see_every_opening(user) -> bool:
    """The staff board of every live opening (API `/staff/board`): HQ members of any role."""
    return is_hq_reader(user)
