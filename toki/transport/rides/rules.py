"""A ride request checked against the service before the dispatcher sees it: the area and its meeting points, the
operating calendar, the booking rule (real time, same day with notice, by the day before's cut-off), the vehicles'
shifts and sizes. Pure: it reads the rows it is given and answers the reasons in words (none: go on)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from toki.lib.geo import point_in_geometry
from toki.transport.rides.models import BookingRule, MeetingPoint, ServiceArea, ServiceException, Shift, Vehicle


@dataclass(frozen=True)
class Calendar:
    """An area's exceptions to its weekdays: day → runs, and the days that run with a 運休 from an hour → (that
    time, the time the service resumes or None for the rest of the day, the reason)."""

    runs: dict[date, bool] = field(default_factory=dict)
    until: dict[date, tuple[time, time | None, str]] = field(default_factory=dict)


def in_pause(asked: time, start: time, resumes: time | None) -> bool:
    """Whether a ride asked for at `asked` falls in a 運休 from `start` until `resumes` (None: the day's end)."""
    return asked >= start and (resumes is None or asked < resumes)


def calendar_of(area: ServiceArea, first: date, last: date | None = None) -> Calendar:
    """The area's exceptions from `first` to `last` (default: that day alone; date.max: all to come); one query."""
    rows = ServiceException.objects.filter(area=area, day__range=(first, last or first))
    runs, until = {}, {}
    for day, day_runs, stop, resumes, note in rows.values_list("day", "runs", "until", "resumes", "note"):
        runs[day] = day_runs
        if day_runs and stop is not None:
            until[day] = (stop, resumes, note)
    return Calendar(runs, until)


def asked_time(earliest_pickup: datetime | None, latest_arrival: datetime | None) -> time:
    """The local time a ride was asked for: its pickup from, or its arrival by."""
    when = earliest_pickup or latest_arrival
    assert when is not None
    return timezone.localtime(when).time()


def too_late(calendar: Calendar, day: date, earliest_pickup: datetime | None,
             latest_arrival: datetime | None) -> str:
    """Why a ride asked for at that time falls in the day's 運休 from an hour ("" when it does not)."""
    pause = calendar.until.get(day)
    if pause is None or not in_pause(asked_time(earliest_pickup, latest_arrival), pause[0], pause[1]):
        return ""
    start, resumes, note = pause
    why = f" ({note})" if note else ""
    if resumes is not None:
        return _("The service is suspended from %(time)s to %(resumes)s that day%(why)s: book another time, or "
                 "call the phone desk.") % {"time": start.strftime("%H:%M"), "resumes": resumes.strftime("%H:%M"),
                                             "why": why}
    return _("The service stops at %(time)s that day%(why)s: book an earlier time, or call the phone desk.") % {
        "time": start.strftime("%H:%M"), "why": why}


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    point: MeetingPoint | None = None

    @classmethod
    def of(cls, point: MeetingPoint) -> "Place":
        return cls(point.lat, point.lon, point)

    @property
    def label(self) -> str:
        return self.point.name if self.point else f"{self.lat:.5f}, {self.lon:.5f}"


@dataclass(frozen=True)
class RideRequest:
    area: ServiceArea
    origin: Place
    destination: Place
    earliest_pickup: datetime | None
    latest_arrival: datetime | None
    passengers: int = 1
    wheelchairs: int = 0
    evacuation: bool = False

    @property
    def anchor(self) -> datetime:
        when = self.earliest_pickup or self.latest_arrival
        assert when is not None
        return when

    @property
    def service_date(self) -> date:
        return timezone.localdate(self.anchor)


def request_problems(request: RideRequest, *, now: datetime, calendar: Calendar,
                     rule: BookingRule | None, vehicles: list[Vehicle], shifts: list[Shift]) -> list[str]:
    """Why this request cannot be booked, each reason a sentence for the rider or the operator."""
    area = request.area
    problems = []
    if (request.earliest_pickup is None) == (request.latest_arrival is None):
        return [_("Give either the earliest pickup time or the latest arrival time.")]
    if not 1 <= request.passengers <= 9:
        problems.append(_("The number of passengers must be between 1 and 9."))
    if request.wheelchairs < 0 or request.wheelchairs > request.passengers:
        problems.append(_("Wheelchairs cannot be more than the passengers."))
    for label, place in ((_("pickup"), request.origin), (_("drop-off"), request.destination)):
        if place.point is not None and place.point.area_id != area.pk:
            problems.append(_("The %(which)s point is not in this area.") % {"which": label})
        elif place.point is not None and not place.point.active:
            problems.append(_("The %(which)s point %(name)s is no longer served.") % {"which": label,
                                                                                     "name": place.point.name})
        elif place.point is None and not area.door_to_door:
            problems.append(_("This area picks up at meeting points only: choose one for the %(which)s.")
                            % {"which": label})
        elif not point_in_geometry(place.lat, place.lon, area.geometry):
            problems.append(_("The %(which)s is outside the service area.") % {"which": label})
    if request.origin == request.destination:
        problems.append(_("The pickup and the drop-off are the same place."))
    if problems:
        return problems
    day = request.service_date
    if request.evacuation and area.evacuation_since is None:
        return [_("No evacuation order is in force for this area.")]
    if (area.evacuation_since is not None and not request.evacuation
            and day == timezone.localdate(now)):
        return [_("An evacuation order is in force: today's rides are kept for evacuation. Call the phone desk.")]
    if not area.runs_on(day, calendar.runs) and not request.evacuation:
        return [_("The service does not run on %(day)s.") % {"day": day.isoformat()}]
    late = too_late(calendar, day, request.earliest_pickup, request.latest_arrival)
    if late and not request.evacuation:
        return [late]
    problems += _rule_problems(request, now=now, rule=rule)
    running = [s for s in shifts if s.runs_on(day)]
    local = timezone.localtime(request.anchor).time()
    if not any(s.start <= local <= s.end for s in running):
        hours = ", ".join(sorted({f"{s.start:%H:%M}–{s.end:%H:%M}" for s in running})) or "—"
        problems.append(_("No vehicle runs at that time (hours that day: %(hours)s).") % {"hours": hours})
    fitting = [v for v in vehicles if v.seats >= request.passengers and v.wheelchair_spaces >= request.wheelchairs]
    if not fitting:
        problems.append(_("No vehicle of this area has room for this group."))
    return problems


def _rule_problems(request: RideRequest, *, now: datetime, rule: BookingRule | None) -> list[str]:
    if request.evacuation:
        return []  # an evacuation ride is taken whenever a vehicle can make it
    when = request.anchor
    if when < now:
        return [_("That time has already passed.")]
    if rule is None:
        return []
    local_now = timezone.localtime(now)
    if (request.service_date - local_now.date()).days > rule.max_days_ahead:
        return [_("Bookings open %(days)s days ahead.") % {"days": rule.max_days_ahead}]
    if rule.kind == BookingRule.Kind.PRIOR_DAY:
        cutoff = timezone.make_aware(datetime.combine(request.service_date - timedelta(days=1),
                                                      rule.prior_day_cutoff))
        if now > cutoff:
            return [_("Rides must be booked by %(time)s the day before.")
                    % {"time": rule.prior_day_cutoff.strftime("%H:%M")}]
    elif rule.kind == BookingRule.Kind.SAME_DAY:
        notice = (when - now).total_seconds() / 60
        if notice < rule.min_notice_minutes:
            return [_("Book at least %(minutes)s minutes ahead.") % {"minutes": rule.min_notice_minutes}]
        if rule.max_notice_minutes is not None and notice > rule.max_notice_minutes:
            return [_("Book at most %(minutes)s minutes ahead.") % {"minutes": rule.max_notice_minutes}]
    return []
