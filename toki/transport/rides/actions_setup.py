"""Setting up and changing the shared-ride service (docs/rides.md, "Setting up the service"): the whole definition
of one or more areas from a service file (`import_service`, used by `manage.py rides_import`, the import page and
the demo seed), and the operations pages' single changes, each made as the area's definition with one edit and
written by the same code (`change_area`).

One transaction: the areas' rows and their plans from today on are locked (the plans as a booking locks them),
the changes are worked out object by object (service_changes.diff), and the rides booked from today on that the
new definition would strand are found (service_changes.stranded). Anything stranded, a fare still given to saved
riders, or an area the user may not set up: the whole change is refused, nothing written, every reason named.
Otherwise every change is written and audited (`rides.<kind>_<verb>`, with the fields before and after), then the
plans of the days to come follow the vehicles' new hours. Nothing is deleted under a booking: a meeting point or a
vehicle that any booking (or usual trip, or tablet) names is taken out of service instead (`active` false)."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit
from toki.transport.rides import permissions, plans, selectors_setup, service_changes
from toki.transport.rides.events import publish_plans
from toki.transport.rides.models import (
    BookingRule,
    Driver,
    FareCategory,
    MeetingPoint,
    ServiceArea,
    ServiceException,
    Shift,
    Vehicle,
)
from toki.transport.rides.rules import calendar_of
from toki.transport.rides.service_changes import Change
from toki.transport.rides.service_file import AreaSpec, area_document, read_document
from toki.transport.rides.travel import TravelError


class ServiceChangeRefused(Exception):
    """The change would strand booked rides or break a rule; nothing was written. `problems` says each reason."""

    def __init__(self, problems: list[str], changes: list[Change] | None = None):
        self.problems, self.changes = problems, changes or []
        super().__init__("\n".join(problems))


@dataclass
class ServicePlan:
    """What a definition changes; `applied` once written."""

    changes: list[Change] = field(default_factory=list)
    applied: bool = False

    @property
    def fingerprint(self) -> str:
        """Names these exact changes: the import page applies only what its reader reviewed."""
        text = json.dumps([[c.area, c.kind, c.key, c.verb, [list(f) for f in c.fields]] for c in self.changes],
                          ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def count(self, verb: str) -> int:
        return sum(1 for c in self.changes if c.verb == verb)


def import_service(*, acting_user, municipality, areas: list[AreaSpec], apply: bool = True, source: str = "",
                   reviewed: str | None = None, now: datetime | None = None,
                   action: str = "rides.service_import") -> ServicePlan:
    """Make each area of the file say what the file says (areas not in it are left as they are). `apply` False is
    the dry run: the same checks, nothing written. `reviewed`: the fingerprint of the plan the user saw; if the
    service changed since, the import is refused (review it again)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    districts = selectors_setup.district_codes(municipality)
    with transaction.atomic():
        rows = ServiceArea.objects.filter(municipality=municipality, code__in=[a.code for a in areas])
        existing = {a.code: a for a in (rows.select_for_update() if apply else rows).order_by("pk")}
        problems: list[str] = []
        work = []
        plan = ServicePlan()
        for i, spec in enumerate(areas):
            area = existing.get(spec.code)
            target = ServiceArea(municipality=municipality, code=spec.code,
                                 district_id=districts.get(spec.district) if spec.district else None)
            if (area is not None and not permissions.may_configure(acting_user, area)) or \
                    not permissions.may_configure(acting_user, target):
                problems.append(f"areas[{i}]: " + _("you may not set up the service of %(area)s (or of its "
                                                    "district)") % {"area": spec.code})
                continue
            state = selectors_setup.area_state(area) if area is not None else None
            changes = service_changes.diff(state, spec, today)
            plan.changes += changes
            if state is not None and changes:
                problems += _problems(state, spec, changes, today, now, lock=apply)
            work.append((area, spec, changes))
        if problems:
            raise ServiceChangeRefused(problems, plan.changes)
        if reviewed is not None and reviewed != plan.fingerprint:
            raise ServiceChangeRefused([_("The service has changed since this file was reviewed: review it again.")],
                                       plan.changes)
        if not apply or not plan.changes:
            return plan
        for area, spec, changes in work:
            if changes:
                _write(acting_user, municipality, area, spec, districts, changes, today)
        audit.record(actor=acting_user, action=action, changes={
            "source": source[:200], "areas": [a.code for a in areas],
            "changes": {verb: plan.count(verb) for verb in ("create", "update", "deactivate", "delete")}})
        plan.applied = True
    return plan


def _problems(state, spec: AreaSpec, changes: list[Change], today, now, *, lock: bool) -> list[str]:
    """Why the area's changes cannot be made: rides they would strand, fares still given to saved riders."""
    problems = []
    for change in changes:
        if change.kind == "fare" and change.verb == "delete" and state.fare_riders.get(change.key):
            problems.append(f"{spec.code}: " + _(
                "fare %(fare)s is the category of %(count)s saved riders: give them another category first")
                % {"fare": change.key, "count": state.fare_riders[change.key]})
    day_plans = selectors_setup.future_plans(state.area, today, lock=lock)
    bookings = selectors_setup.future_bookings(state.area, today)
    try:
        stranded = service_changes.stranded(state.spec, spec, bookings, day_plans, now=now)
    except TravelError as exc:
        return [*problems, f"{spec.code}: " + _("the booked plans could not be checked: travel times are not "
                                                "available (%(error)s)") % {"error": exc}]
    if stranded:
        problems.append(f"{spec.code}: " + _("%(count)s booked rides would be stranded; cancel or move them at the "
                                             "phone desk first, or keep the service they need:")
                        % {"count": len(stranded)})
        problems += [f"{spec.code}: {s}" for s in stranded]
    return problems


# --- Writing ------------------------------------------------------------------------------------------------------

AREA_COLUMNS = ("name", "geometry", "door_to_door", "speed_kmh", "detour_factor", "stop_minutes",
                "pickup_window_minutes", "max_wait_minutes", "max_ride_alpha", "max_ride_beta_minutes",
                "phone_number", "weekdays")


def _write(acting_user, municipality, area: ServiceArea | None, spec: AreaSpec, districts: dict[str, int],
           changes: list[Change], today) -> None:
    by_kind: dict[str, list[Change]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)

    def record(change: Change, obj) -> None:
        audit.record(actor=acting_user, action=f"rides.{change.kind}_{change.verb}", obj=obj,
                     changes=change.audit_changes())

    values: dict[str, Any] = {name: getattr(spec, name) for name in AREA_COLUMNS}
    values["district_id"] = districts[spec.district] if spec.district else None
    if area is None:
        area = ServiceArea.objects.create(municipality=municipality, code=spec.code, **values)
    elif by_kind.get("area"):
        for name, value in values.items():
            setattr(area, name, value)
        area.save(update_fields=[*AREA_COLUMNS, "district"])
    for change in by_kind.get("area", []):
        record(change, area)
    rule = spec.booking_rule
    for change in by_kind.get("booking_rule", []):
        row, _created = BookingRule.objects.update_or_create(area=area, defaults={
            "kind": rule.kind, "min_notice_minutes": rule.min_notice_minutes,
            "max_notice_minutes": rule.max_notice_minutes, "prior_day_cutoff": rule.prior_day_cutoff,
            "max_days_ahead": rule.max_days_ahead, "cancel_minutes_before": rule.cancel_minutes_before,
            "no_show_limit": rule.no_show_limit, "no_show_period_days": rule.no_show_period_days,
            "late_cancel_counts": rule.late_cancel_counts, "message": rule.message})
        record(change, row)
    fares = {f.code: f for f in spec.fares}
    _upsert(by_kind.get("fare", []), FareCategory, area, record,
            lambda code: {"name": fares[code].name, "price_yen": fares[code].price_yen})
    points = {p.code: p for p in spec.points}
    _upsert(by_kind.get("meeting_point", []), MeetingPoint, area, record,
            lambda code: {"name": points[code].name, "lat": points[code].lat, "lon": points[code].lon,
                          "note": points[code].note, "active": True})
    drivers = {d.code: d for d in spec.drivers}
    _upsert([c for c in by_kind.get("driver", []) if c.verb != "delete"], Driver, area, record,
            lambda code: {"name": drivers[code].name, "phone": drivers[code].phone})
    vehicles = {v.code: v for v in spec.vehicles}
    _upsert(by_kind.get("vehicle", []), Vehicle, area, record,
            lambda code: {"name": vehicles[code].name, "seats": vehicles[code].seats,
                          "wheelchair_spaces": vehicles[code].wheelchair_spaces,
                          "depot_lat": vehicles[code].depot_lat, "depot_lon": vehicles[code].depot_lon,
                          "active": vehicles[code].active})
    driver_ids = dict(Driver.objects.filter(area=area).values_list("code", "pk"))
    for change in by_kind.get("shifts", []):
        vehicle = Vehicle.objects.get(area=area, code=change.key)
        vehicle.shifts.all().delete()
        Shift.objects.bulk_create([Shift(vehicle=vehicle, weekdays=s.weekdays, start=s.start, end=s.end,
                                         driver_id=driver_ids.get(s.driver) if s.driver else None)
                                   for s in vehicles[change.key].shifts])
        record(change, vehicle)
    _upsert([c for c in by_kind.get("driver", []) if c.verb == "delete"], Driver, area, record, dict)
    exceptions = {e.day.isoformat(): e for e in spec.exceptions}
    for change in by_kind.get("exception", []):
        day = change.key
        if change.verb == "delete":
            exception = ServiceException.objects.get(area=area, day=day)
            record(change, exception)
            exception.delete()
        else:
            exception, _created = ServiceException.objects.update_or_create(
                area=area, day=day, defaults={"runs": exceptions[day].runs, "note": exceptions[day].note,
                                              "until": exceptions[day].until,
                                              "resumes": exceptions[day].resumes})
            record(change, exception)
    if by_kind.get("vehicle") or by_kind.get("shifts"):
        _follow_hours(area, today)


def _upsert(changes: list[Change], model, area: ServiceArea, record: Callable, values: Callable) -> None:
    for change in changes:
        if change.verb == "delete":
            row = model.objects.get(area=area, code=change.key)
            record(change, row)
            row.delete()
        elif change.verb == "deactivate":
            row = model.objects.get(area=area, code=change.key)
            row.active = False
            row.save(update_fields=["active"])
            record(change, row)
        else:
            row, _created = model.objects.update_or_create(area=area, code=change.key, defaults=values(change.key))
            record(change, row)


def _follow_hours(area: ServiceArea, today) -> None:
    """The plans from today on follow the vehicles' new hours (their rows are locked since the check). A plan of
    a vehicle that no longer runs that day is deleted when empty; with stops (only rides already carried: the
    check refused the rest) it is closed after its last stop. A plan never starts after a stop already on it."""
    vehicles = {v.pk: v for v in Vehicle.objects.filter(area=area)}
    shifts = list(Shift.objects.filter(vehicle__area=area))
    changed = []
    for day_plan in selectors_setup.future_plans(area, today, lock=True):
        vehicle = vehicles[day_plan.vehicle_id]
        bounds = plans.shift_bounds(vehicle, shifts, day_plan.day) if vehicle.active else None
        times = sorted(day_plan.stop_times())
        if bounds is None and not times:
            day_plan.delete()
            continue
        if bounds is None:
            start, end = min(day_plan.start, times[0]), times[-1]
        else:
            start = min(bounds[0], times[0]) if times else bounds[0]
            end = max(bounds[1], times[-1]) if times else bounds[1]
        if (start, end) != (day_plan.start, day_plan.end):
            day_plan.start, day_plan.end, day_plan.version = start, end, day_plan.version + 1
            day_plan.save(update_fields=["start", "end", "version", "updated_at"])
            changed.append(day_plan.pk)
    if changed:
        publish_plans(area.municipality_id, changed)


# --- The operations pages: one edit of an area's definition --------------------------------------------------------

def change_area(*, acting_user, area: ServiceArea, edit: Callable[[dict], None], now: datetime | None = None,
                apply: bool = True) -> ServicePlan:
    """The area's definition as a service file says it, changed by `edit` (on that document), checked as a file
    is (ServiceFileError names the field: `areas[0].vehicles[1].shifts[0].end`), written as an import is."""
    if not permissions.may_configure(acting_user, area):
        raise PermissionDenied("setting up the service needs the area's operators (HQ or its branch office)")
    listed = area_document(selectors_setup.area_spec(area))
    edit(listed)
    document = {"format": "toki-rides-service", "version": 1, "areas": [listed]}
    specs = read_document(document, district_codes=set(selectors_setup.district_codes(area.municipality)))
    return import_service(acting_user=acting_user, municipality=area.municipality, areas=specs, apply=apply,
                          now=now, source=f"page:{area.code}", action="rides.service_edit")


def _vehicle_of(document: dict, code: str) -> dict:
    for vehicle in document["vehicles"]:
        if vehicle["code"] == code:
            return vehicle
    raise LookupError(f"no vehicle {code!r} in the area's definition")


def set_vehicle_in_service(*, acting_user, area: ServiceArea, vehicle: Vehicle, active: bool,
                           now: datetime | None = None) -> ServicePlan:
    """A vehicle in or out of service (a breakdown, an inspection): refused while rides are booked on it."""
    return change_area(acting_user=acting_user, area=area, now=now,
                       edit=lambda doc: _vehicle_of(doc, vehicle.code).update(active=active))


def save_shifts(*, acting_user, area: ServiceArea, vehicle: Vehicle, shifts: list[dict],
                now: datetime | None = None) -> ServicePlan:
    """The vehicle's shifts as a whole (`{"weekdays": [1, …], "start": "08:00", "end": "17:00", "driver": code}`)."""
    return change_area(acting_user=acting_user, area=area, now=now,
                       edit=lambda doc: _vehicle_of(doc, vehicle.code).update(shifts=shifts))


def save_exception(*, acting_user, area: ServiceArea, day, runs: bool, note: str = "", until: time | None = None,
                   resumes: time | None = None, now: datetime | None = None) -> ServicePlan:
    """A 運休日 (runs False), a 臨時運行日 (runs True), or a day that runs with a 運休 from `until` (to `resumes`, or
    the day's end); replaces the day's exception if there is one. A time is refused on a day the service does not
    run (the form's 運休 from an hour would otherwise open a day off until then); the file's checks refuse a
    `resumes` without `until` or not after it."""
    if until is not None and not area.runs_on(day, calendar_of(area, day).runs):
        raise ValidationError({"until": _("The service does not run that day: there is nothing to suspend from a "
                                          "time.")})

    def edit(doc: dict) -> None:
        doc["exceptions"] = [e for e in doc["exceptions"] if e["day"] != day.isoformat()] + [
            {"day": day.isoformat(), "runs": runs, **({"until": until.strftime("%H:%M")} if until else {}),
             **({"resumes": resumes.strftime("%H:%M")} if resumes else {}), "note": note}]

    return change_area(acting_user=acting_user, area=area, edit=edit, now=now)


@dataclass(frozen=True)
class SuspendedDay:
    plan: ServicePlan
    cancelled: int  # rides cancelled with the day (their riders told on LINE or on the phone desk's call list)


def suspend_day(*, acting_user, area: ServiceArea, day, note: str, from_time: time | None = None,
                to_time: time | None = None, now: datetime | None = None) -> SuspendedDay:
    """運休 for a day with rides booked on it (a typhoon on its way, heavy snow), in one transaction: every ride
    still to come that day cancelled by the service (actions.cancel_for_suspension: riders told, never counted as
    their miss), then the day made a 運休日 with `note` as its reason. With `from_time` (a typhoon arriving at
    noon) only the rides asked for from that time on are cancelled and the day runs until then (runs, `until`);
    with `to_time` too (a typhoon passing 13:00–16:00) only those asked for in between, and the service resumes
    then (`resumes`).
    All or nothing: if the day cannot be saved, no ride is cancelled. A day that has passed is refused; so is a day
    on which a rider of a ride to cancel is on board, and a time on a day that does not run (save_exception)."""
    from toki.transport.rides import actions

    if not permissions.may_configure(acting_user, area):
        raise PermissionDenied("suspending the service needs the area's operators (HQ or its branch office)")
    now = now or timezone.now()
    note = note.strip()
    errors = {}
    if day < timezone.localdate(now):
        errors["day"] = _("That day has passed.")
    if not note:
        errors["note"] = _("Give the reason (e.g. 台風接近): the riders are told it.")
    if to_time is not None and (from_time is None or to_time <= from_time):
        errors["resumes"] = _("The service resumes after the 運休 starts: give both times, the second later.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The area's row first, as every change of the service takes it: a first booking of the day holds it
        # while it makes the day's plans (actions._lock_plans), so its ride is committed, then cancelled here.
        plans.lock_area(area)
        cancelled = actions.cancel_for_suspension(acting_user=acting_user, area=area, day=day, note=note,
                                                  from_time=from_time, to_time=to_time, now=now)
        plan = save_exception(acting_user=acting_user, area=area, day=day, runs=from_time is not None,
                              until=from_time, resumes=to_time, note=note, now=now)
        audit.record(actor=acting_user, action="rides.day_suspended", obj=area, changes={
            "day": day.isoformat(), "from": from_time.strftime("%H:%M") if from_time else None,
            "resumes": to_time.strftime("%H:%M") if to_time else None, "note": note, "cancelled": len(cancelled)})
    return SuspendedDay(plan=plan, cancelled=len(cancelled))


def remove_exception(*, acting_user, area: ServiceArea, day, now: datetime | None = None) -> ServicePlan:
    """Back to the weekdays' calendar on `day`."""
    def edit(doc: dict) -> None:
        doc["exceptions"] = [e for e in doc["exceptions"] if e["day"] != day.isoformat()]

    return change_area(acting_user=acting_user, area=area, edit=edit, now=now)


def save_booking_rule(*, acting_user, area: ServiceArea, rule: dict, now: datetime | None = None) -> ServicePlan:
    """The area's booking rule, as the file writes it (`kind`: real_time, same_day or prior_day, …)."""
    return change_area(acting_user=acting_user, area=area, now=now,
                       edit=lambda doc: doc.update(booking_rule=rule))


def save_fares(*, acting_user, area: ServiceArea, fares: list[dict], now: datetime | None = None) -> ServicePlan:
    """The area's fare categories as a whole (`{"code", "name", "price_yen"}`); one left out is removed."""
    return change_area(acting_user=acting_user, area=area, now=now, edit=lambda doc: doc.update(fares=fares))
