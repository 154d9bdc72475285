"""Who may do what with household tablets (DESIGN.md: every rule of the app here).

- city staff: HQ and department editors or admins (広報 and the help desk): households, devices, the newsletter,
  every circular's readers, the fleet, the watch-over call list;
- 自治会 leaders: reporters or above of the 自治会's org unit (kind 'community'): their 自治会's circulars and
  event notices and who has read them;
- welfare staff (民生委員, 社協): the watch-over call list of their district (every district without one).
Residents never log in: their device cookie is checked in toki.community.devices."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role, memberships_of

CITY_KINDS = (OrgUnit.Kind.HQ, OrgUnit.Kind.DEPARTMENT)


def is_city_staff(user) -> bool:
    return has_role(user, Role.EDITOR, kinds=CITY_KINDS)


def led_org_unit_ids(user) -> set[int]:
    """The 自治会 org units `user` publishes for (reporter or above)."""
    return {m.org_unit_id for m in memberships_of(user)
            if m.org_unit.kind == OrgUnit.Kind.COMMUNITY and m.allows(Role.REPORTER)}


def may_use_publisher_pages(user) -> bool:
    return is_city_staff(user) or bool(led_org_unit_ids(user))


def may_publish(user, kind: str, jichikai) -> bool:
    """The newsletter is the city's; a circular or event notice is its 自治会's (or the city's)."""
    if is_city_staff(user):
        return True
    return kind != "newsletter" and jichikai is not None and jichikai.org_unit_id in led_org_unit_ids(user)


def watch_list_districts(user) -> list[int] | None:
    """District ids whose call list `user` reads: None for all, [] for none."""
    if is_city_staff(user):
        return None
    districts: list[int] = []
    for membership in memberships_of(user):
        if membership.org_unit.kind == OrgUnit.Kind.WELFARE and membership.allows(Role.REPORTER):
            if membership.district_id is None:
                return None
            districts.append(membership.district_id)
    return districts


def may_read_watch_list(user) -> bool:
    return user.is_authenticated and watch_list_districts(user) != []
