"""A booked ride in words, in the active language: the LINE conversation's answers and the reminders say it the
same way (call inside `translation.override`)."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from toki.transport.rides.models import Booking

WEEKDAYS_JA = "月火水木金土日"


def hhmm(when: datetime) -> str:
    return timezone.localtime(when).strftime("%H:%M")


def day_label(day: date, today: date | None = None) -> str:
    """今日 / 明日 / 12月9日(水) (other languages: Today / Tomorrow / Wed 9 Dec)."""
    today = today or timezone.localdate()
    if day == today:
        return _("Today")
    if (day - today).days == 1:
        return _("Tomorrow")
    if get_language() in ("ja", "ja-easy", "zh-hans"):
        return f"{day.month}月{day.day}日({WEEKDAYS_JA[day.weekday()]})"
    if get_language() == "ko":
        return f"{day.month}월 {day.day}일"
    return day.strftime("%a %d %b")


def full_day(day: date, today: date | None = None) -> str:
    """The date with its label: 明日 12月8日(火)."""
    label = day_label(day, today)
    dated = day_label(day, today=date.min)  # never today or tomorrow: the date itself
    return dated if label == dated else f"{label} {dated}"


def point_name(booking: Booking, which: str) -> str:
    """The meeting point's name; a door-to-door place is "the place you chose" (a message never repeats where
    someone lives: the booking's page shows it)."""
    point = getattr(booking, which)
    if point is not None:
        return point.name
    return _("the place you chose")


def booking_lines(booking: Booking, today: date | None = None) -> list[str]:
    """Date, the promised pickup window and place, the predicted arrival and place, passengers and fare."""
    lines = [_("Date: %(day)s") % {"day": full_day(booking.service_date, today)}]
    if booking.latest_arrival:
        lines.append(_("Arrive by: %(time)s") % {"time": hhmm(booking.latest_arrival)})
    if booking.promised_pickup_from and booking.promised_pickup_until:
        lines.append(_("Pickup: between %(start)s and %(end)s at %(place)s")
                     % {"start": hhmm(booking.promised_pickup_from), "end": hhmm(booking.promised_pickup_until),
                        "place": point_name(booking, "origin")})
    if booking.planned_dropoff:
        lines.append(_("Arrival: about %(time)s at %(place)s")
                     % {"time": hhmm(booking.planned_dropoff), "place": point_name(booking, "destination")})
    lines.append(_("Passengers: %(n)d") % {"n": booking.passengers}
                 + (" (" + _("wheelchair") + ")" if booking.wheelchairs else ""))
    lines.append(_("Fare: %(yen)s yen") % {"yen": f"{booking.fare_yen:,}"})
    return lines
