"""Reminders to riders who booked through LINE (docs/rides.md, "Reminders"): the evening before the ride, and when
the vehicle is near the pickup. Each is handed to notify as an Announcement with a personal audience (the rider's
LINE Subscriber, ADR 0008) whose dedupe key names the booking and the kind, so a reminder is planned once however
often the job runs and whichever worker runs it (notify's unique source key); notify's outbox sends it once
(retry key, sweep). Riders LINE cannot reach are on the phone desk's evening list instead (views_calls.py).

Run by `manage.py rides_remind` (TOKI_PERIODIC_JOBS)."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from toki.lib.site_links import site_link
from toki.lib.text import cut
from toki.transport.rides import running
from toki.transport.rides.models import Booking, VehicleDay
from toki.transport.rides.selectors_line import (
    evening_reminder_bookings,
    near_reminder_bookings,
    suspension_notice_bookings,
)
from toki.transport.rides.wording import booking_lines, full_day, hhmm, point_name

logger = logging.getLogger(__name__)

EVENING, NEAR, SUSPENDED = "evening", "near", "suspended"
SENT_FLAG = {EVENING: "reminded_evening", NEAR: "reminded_near"}  # a 運休 notice sets none: the desk's call is apart
NEAR_LOOKAHEAD = timedelta(minutes=45)  # only pickups this soon are looked at for "the vehicle is near"


@dataclass(frozen=True)
class Sent:
    evening: int = 0
    near: int = 0


def _announce(booking: Booking, kind: str, content) -> None:
    from toki.notify.actions.planning import announce
    from toki.notify.announcements import Announcement, Category, Content

    rider = booking.rider
    assert rider is not None  # the reminder selectors pick bookings of linked riders only
    subscriber = rider.line_link.subscriber
    texts = {}
    for language in {settings.LANGUAGE_CODE, subscriber.language}:
        with translation.override(language):
            title, body = content(booking)
            url = site_link(reverse("rides:booking", args=[booking.reference]), language)
            # The body starts with the title: it is what a lock screen shows (notify's channels send the body).
            texts[language] = Content(language=language, title=title, short=cut(title, 100),
                                      body=f"{title}\n{body}", url=url)
    with translation.override(settings.LANGUAGE_CODE):
        staff_title = content(booking)[0]
    # Category: a personal audience is not filtered by categories; お知らせ is what the staff page shows.
    announce(Announcement(municipality_id=booking.area.municipality_id,
                          dedupe_key=f"rides_reminder:{kind}:{booking.pk}", category=Category.NOTICES,
                          title=staff_title, texts=texts, subscriber_ids=(subscriber.pk,),
                          extra={"booking": booking.pk, "reminder": kind}))
    if kind in SENT_FLAG:
        Booking.objects.filter(pk=booking.pk).update(**{SENT_FLAG[kind]: True})


def _evening_text(booking: Booking) -> tuple[str, str]:
    the_evening_before = booking.service_date - timedelta(days=1)  # 明日 as the rider reads it, whenever it runs
    title = _("Reminder: your shared ride %(day)s") % {"day": full_day(booking.service_date, the_evening_before)}
    return title, "\n".join([
        *booking_lines(booking, the_evening_before),
        "",
        _("To cancel, tap \"My bookings\" in the menu or call %(phone)s.") % {"phone": booking.area.phone_number
                                                                               or "-"},
    ])


def _near_text(minutes: int):
    def text(booking: Booking) -> tuple[str, str]:
        title = _("Your vehicle is about %(minutes)d minutes away") % {"minutes": minutes}
        lines = [_("Please be ready at %(place)s.") % {"place": point_name(booking, "origin")}]
        if booking.promised_pickup_from and booking.promised_pickup_until:
            lines.append(_("Promised pickup: between %(start)s and %(end)s")
                         % {"start": hhmm(booking.promised_pickup_from), "end": hhmm(booking.promised_pickup_until)})
        lines.append(_("Vehicle: %(name)s") % {"name": booking.vehicle.name if booking.vehicle else "-"})
        return title, "\n".join(lines)
    return text


def _suspended_text(booking: Booking) -> tuple[str, str]:
    title = _("Service suspended: your shared ride %(day)s is cancelled") % {
        "day": full_day(booking.service_date, timezone.localdate())}
    return title, "\n".join([
        booking.reason,
        *booking_lines(booking),
        "",
        _("Nothing to pay. To book another day, or to ask, call %(phone)s.") % {
            "phone": booking.area.phone_number or "-"},
    ])


def send_suspension_notices(booking_ids: list[int]) -> int:
    """Tell each rider LINE can reach that their ride was cancelled with the day's service (運休), once per booking
    however often it runs (notify's dedupe key). The riders LINE cannot reach are on the phone desk's call list."""
    count = 0
    for booking in list(suspension_notice_bookings(booking_ids)):
        _announce(booking, SUSPENDED, _suspended_text)
        count += 1
    return count


def evening_due(now: datetime) -> bool:
    return timezone.localtime(now).time() >= settings.TOKI_RIDES_REMIND_EVENING


def send_evening_reminders(now: datetime | None = None) -> int:
    """From TOKI_RIDES_REMIND_EVENING (18:00) on, remind every rider of tomorrow reachable through LINE, once."""
    now = now or timezone.now()
    if not evening_due(now):
        return 0
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    count = 0
    # Read first, then announce (each announcement commits its own transactions: no cursor stays open over them).
    for booking in list(evening_reminder_bookings(tomorrow)):
        _announce(booking, EVENING, _evening_text)
        count += 1
    return count


def pickup_arrivals(vehicle_day: VehicleDay, states: dict[int, tuple[str, datetime | None]], wanted: set[int],
                    now: datetime) -> dict[int, datetime]:
    """Booking id → when the vehicle is expected at that pickup, for the `wanted` bookings on the plan: from its last
    position along the plan's remaining stops in order (those not marked done on the tablet, `plans.is_done`), on
    the travel source, with the area's stop minutes at each stop and, at another rider's pickup, no leaving before
    that rider's promised window opens. `states`: booking id → (status, promised pickup from). Empty when the
    tablet has not reported a position within TOKI_RIDES_POSITION_FRESH_MINUTES."""
    fresh = timedelta(minutes=settings.TOKI_RIDES_POSITION_FRESH_MINUTES)
    if vehicle_day.last_lat is None or vehicle_day.last_lon is None or vehicle_day.last_seen_at is None:
        return {}
    if vehicle_day.last_seen_at < now - fresh:
        return {}
    remaining = running.remaining_stops(vehicle_day.stops, {pk: state[0] for pk, state in states.items()})
    last = max((i for i, s in enumerate(remaining) if s["kind"] == "pickup" and s["booking"] in wanted), default=-1)
    if last < 0:
        return {}
    remaining = remaining[:last + 1]
    times = running.arrivals_along(vehicle_day.vehicle.area, (vehicle_day.last_lat, vehicle_day.last_lon), now,
                                   remaining, {pk: state[1] for pk, state in states.items()}, logger)
    arrivals: dict[int, datetime] = {}
    for stop, when in zip(remaining, times, strict=True):
        if stop["kind"] == "pickup":
            arrivals.setdefault(stop["booking"], when)
    return {pk: arrivals[pk] for pk in wanted if pk in arrivals}


def send_near_reminders(now: datetime | None = None) -> int:
    """Tell each rider reachable through LINE whose vehicle is within TOKI_RIDES_REMIND_NEAR_MINUTES of their pickup
    (from the position the driver's tablet last wrote on the vehicle's plan, along the plan's stops still to make
    before that pickup), once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    bookings = list(near_reminder_bookings(today, now + NEAR_LOOKAHEAD, now))
    if not bookings:
        return 0
    fresh = now - timedelta(minutes=settings.TOKI_RIDES_POSITION_FRESH_MINUTES)
    vehicle_days = list(VehicleDay.objects.filter(day=today, vehicle_id__in={b.vehicle_id for b in bookings},
                                                  last_seen_at__gte=fresh).select_related("vehicle__area"))
    if not vehicle_days:
        return 0
    on_plans = {s["booking"] for vd in vehicle_days for s in vd.stops}
    states = {pk: (status, opens) for pk, status, opens in Booking.objects.filter(pk__in=on_plans)
              .values_list("pk", "status", "promised_pickup_from")}
    wanted = {b.pk for b in bookings}
    arrivals: dict[int, datetime] = {}
    for vehicle_day in vehicle_days:
        arrivals.update(pickup_arrivals(vehicle_day, states, wanted, now))
    count = 0
    for booking in bookings:
        arrival = arrivals.get(booking.pk)
        minutes = (arrival - now).total_seconds() / 60 if arrival is not None else None
        if minutes is None or minutes > settings.TOKI_RIDES_REMIND_NEAR_MINUTES:
            continue
        _announce(booking, NEAR, _near_text(max(1, round(minutes))))
        count += 1
    return count


def send_reminders(now: datetime | None = None) -> Sent:
    return Sent(evening=send_evening_reminders(now), near=send_near_reminders(now))
