"""Who may do what with damage reports (issue 6 item 7; docs/damage-reports.md, "Roles").

- HQ staff (reporter or above in an HQ org unit) see and do everything: file and correct anywhere, confirm,
  issue 第N報.
- Branch-office staff (reporter or above) file and correct reports of their own district: the membership's
  district, else their branch office's district. A branch-office member with neither files nowhere.
- External agencies (reporter or above) file and correct reports in the categories their org unit is allowed
  (AgencyScope rows, set with `manage.py damage_agency_scope`), in any district.
- Everyone who may read incidents (toki.hq.permissions.may_read_incidents) reads every report of an incident.
- Others (eve) are refused everywhere: pages and API answer 404.
"""

from dataclasses import dataclass

from toki.accounts.models import ROLE_RANK, OrgUnit, Role
from toki.accounts.selectors import has_role, memberships_of
from toki.hq.permissions import may_read_incidents


def may_read(user) -> bool:
    return may_read_incidents(user)


def is_hq_staff(user) -> bool:
    return has_role(user, Role.REPORTER, kinds=(OrgUnit.Kind.HQ,))


@dataclass(frozen=True)
class Grant:
    """Where a user may file: `district_ids`/`categories` None means any. `org_unit` is recorded on the report."""

    org_unit: OrgUnit | None
    district_ids: frozenset | None
    categories: frozenset | None

    def allows(self, district_id, category) -> bool:
        return ((self.district_ids is None or district_id in self.district_ids)
                and (self.categories is None or category in self.categories))


def _agency_categories(user) -> dict[int, frozenset]:
    cached = getattr(user, "_toki_damage_scopes", None)
    if cached is None:
        from toki.hq.damage.models import AgencyScope

        agency_ids = [m.org_unit_id for m in memberships_of(user) if m.org_unit.kind == OrgUnit.Kind.AGENCY]
        cached = {}
        if agency_ids:
            for org_unit_id, category in AgencyScope.objects.filter(org_unit_id__in=agency_ids).values_list(
                    "org_unit_id", "category"):
                cached.setdefault(org_unit_id, set()).add(category)
        cached = user._toki_damage_scopes = {k: frozenset(v) for k, v in cached.items()}
    return cached


def grants(user) -> list[Grant]:
    """Every grant to file reports the user holds, the broadest first."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return [Grant(None, None, None)]
    out = []
    for membership in memberships_of(user):
        if ROLE_RANK[membership.role] < ROLE_RANK[Role.REPORTER]:
            continue
        unit = membership.org_unit
        if unit.kind == OrgUnit.Kind.HQ:
            out.insert(0, Grant(unit, None, None))
        elif unit.kind == OrgUnit.Kind.BRANCH_OFFICE:
            district_id = membership.district_id or unit.district_id
            if district_id:
                out.append(Grant(unit, frozenset([district_id]), None))
        elif unit.kind == OrgUnit.Kind.AGENCY:
            categories = _agency_categories(user).get(unit.pk)
            if categories:
                out.append(Grant(unit, None, categories))
    return out


def grant_for(user, district, category) -> Grant | None:
    """The grant that lets `user` file or correct a report of `category` in `district`, or None."""
    district_id = district.pk if district is not None else None
    return next((g for g in grants(user) if g.allows(district_id, category)), None)


def may_file_somewhere(user) -> bool:
    return bool(grants(user))


def may_confirm(user) -> bool:
    return is_hq_staff(user)


def may_issue(user) -> bool:
    return is_hq_staff(user)
