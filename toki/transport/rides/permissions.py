"""Who may do what with shared rides, in one place (DESIGN.md).

- Anyone (anonymous included) books a ride on the large-type web page and sees or cancels it through the secret
  link of the booking (its reference).
- The phone desk of an area (operators): HQ, and staff (reporter or above) of the branch office whose district the
  area belongs to. They book for riders, keep the saved riders and their usual trips, cancel, mark no-shows, and
  see the area's live map, plans and KPIs. Riders are personal data: only the area's operators read them.
- The same operators enrol a vehicle's tablet (a one-time QR) and sign it out. An enrolled tablet (no user: its
  cookie, toki.transport.rides.driver) reads its own vehicle's plan for the day, with the names and phone numbers of
  the riders on it, marks those bookings (boarded, no-show, dropped off) and reports the vehicle's position;
  nothing of another vehicle.
- The same operators set up and change their area's service (docs/rides.md "Setting up the service"): vehicles in
  or out of service, shifts, the calendar's exceptions, the booking rule, fares, and the whole definition from a
  file. An area without a district belongs to no branch office: HQ alone sets it up. A file may create an area
  or move one to another district only for a district its importer runs.
"""

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role

OPERATOR_KINDS = (OrgUnit.Kind.HQ, OrgUnit.Kind.BRANCH_OFFICE)


def may_operate(user, area) -> bool:
    """Runs the phone desk and the operations pages of `area`."""
    if user is None:
        return True  # the system itself (commands, the demo seed)
    return has_role(user, Role.REPORTER, kinds=OPERATOR_KINDS, district=area.district)


def may_operate_any(user) -> bool:
    return has_role(user, Role.REPORTER, kinds=OPERATOR_KINDS)


def may_enrol_tablet(user, area) -> bool:
    """Makes the one-time QR of a vehicle's tablet in `area`, and signs tablets out (the phone desk's people)."""
    return user is not None and may_operate(user, area)


def may_configure(user, area) -> bool:
    """Changes the service definition of `area` (an unsaved area: may create it, with its district)."""
    if user is None:
        return True  # the system itself (commands, the demo seed)
    if area.district_id is None:
        return has_role(user, Role.REPORTER, kinds=(OrgUnit.Kind.HQ,))
    return may_operate(user, area)


def may_configure_any(user) -> bool:
    """Opens the service import page (each area in a file is still checked with `may_configure`)."""
    return may_operate_any(user)
