"""Who may do what with transit data, in one place (DESIGN.md). The public reads timetables, departures and the
GTFS/GTFS-RT feeds; editors or admins of HQ or a department (the city's transport policy office) import feeds,
register vehicles and see the vehicle list. Vehicles authenticate with their own token, not a user."""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role


def may_manage_transit(user) -> bool:
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ, OrgUnit.Kind.DEPARTMENT))
