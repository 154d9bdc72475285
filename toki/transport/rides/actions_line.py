"""Riders who book through LINE (docs/rides.md, "LINE"): the link between a LINE friend (a notify Subscriber id) and
the saved rider the phone desk knows, made once the person agreed to the consent text. The conversation itself is
the LINE app's (toki/linebot/rides_chat.py); it books through `actions.book_ride` like every channel."""

import re
import unicodedata
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit
from toki.lib.text import cut
from toki.transport.rides import permissions
from toki.transport.rides.actions import delete_usual_trip, save_rider
from toki.transport.rides.models import USUAL_TRIP_LABEL_MAX, Booking, Rider, RiderLink, ServiceArea, UsualTrip
from toki.transport.rides.rules import asked_time

# The date of the consent text the conversation shows (toki/linebot/rides_chat.py): a new text, a new version.
CONSENT_VERSION = "2026-12-07"
NAME_MAX = 60
PHONE_DIGITS = (10, 11)  # Japanese fixed lines (0259-xx-xxxx) and mobiles (090-xxxx-xxxx)
USUAL_TRIPS_MAX = 9  # one page of the chat's usual-trip buttons (rides_chat_state.PAGE)


def clean_name(text: str) -> str:
    """A rider's name as typed in a chat: NFKC, spaces collapsed; a clear error when empty or too long."""
    name = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip()
    if not name:
        raise ValidationError({"name": _("Send your name as text.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("The name is longer than %(max)d characters.") % {"max": NAME_MAX}})
    return name


def clean_phone(text: str) -> str:
    """A phone number as typed (full-width digits, hyphens, spaces, brackets allowed): 10 or 11 digits from 0."""
    phone = unicodedata.normalize("NFKC", text or "").strip()
    if re.fullmatch(r"[0-9\-\s()]+", phone) is None:
        raise ValidationError({"phone": _("Send the phone number in digits, e.g. 0259-27-1234.")})
    digits = re.sub(r"\D", "", phone)
    if not digits.startswith("0") or len(digits) not in PHONE_DIGITS:
        raise ValidationError({"phone": _("A phone number has 10 or 11 digits and starts with 0, "
                                          "e.g. 0259-27-1234.")})
    return phone


def link_line_rider(*, area: ServiceArea, subscriber_id: int, name: str, phone: str,
                    now: datetime | None = None) -> Rider:
    """The person agreed to the consent text and gave their name and phone: their saved rider of `area` (the one
    with this name and phone, as the web page finds it, or a new one) is linked to their LINE account."""
    name, phone = clean_name(name), clean_phone(phone)
    with transaction.atomic():
        rider = (Rider.objects.filter(area=area, name=name, phone=phone).exclude(line_link__isnull=False).first()
                 or save_rider(acting_user=None, area=area, name=name, phone=phone))
        RiderLink.objects.create(rider=rider, subscriber_id=subscriber_id, consented_at=now or timezone.now(),
                                 consent_version=CONSENT_VERSION)
        audit.record(actor=None, action="rides.rider_line_linked", obj=rider,
                     changes={"consent_version": CONSENT_VERSION})
    return rider


def line_rider_in(*, area: ServiceArea, subscriber_id: int) -> Rider | None:
    """The LINE friend's rider for `area`: their link there, or — when they linked in another area — a rider of this
    area with the same name and phone, linked under the consent they already gave; None when they never linked."""
    links = list(RiderLink.objects.filter(subscriber_id=subscriber_id).select_related("rider")
                 .order_by("-consented_at"))
    for link in links:
        if link.rider.area_id == area.pk:
            return link.rider
    if not links:
        return None
    known = links[0]
    with transaction.atomic():
        rider = save_rider(acting_user=None, area=area, name=known.rider.name, phone=known.rider.phone)
        RiderLink.objects.create(rider=rider, subscriber_id=subscriber_id, consented_at=known.consented_at,
                                 consent_version=known.consent_version)
        audit.record(actor=None, action="rides.rider_line_linked", obj=rider,
                     changes={"consent_version": known.consent_version, "from_area": known.rider.area_id})
    return rider


def unlink_line_rider(*, subscriber_id: int) -> int:
    """The person withdrew their consent: their riders are no longer reached through LINE (the phone desk keeps the
    riders and their bookings, as it does for phone bookings). Answers how many links were removed."""
    with transaction.atomic():
        links = list(RiderLink.objects.select_for_update().filter(subscriber_id=subscriber_id))
        for link in links:
            audit.record(actor=None, action="rides.rider_line_unlinked", obj=link.rider)
        RiderLink.objects.filter(pk__in=[link.pk for link in links]).delete()
    return len(links)


def mark_called(*, acting_user, booking: Booking) -> bool:
    """The phone desk called the rider the evening before (the 'call these riders' list): answers False when it
    was marked already (two operators at once mark it once)."""
    if not permissions.may_operate(acting_user, booking.area):
        raise PermissionDenied("marking a reminder call needs the area's phone desk")
    with transaction.atomic():
        marked = Booking.objects.filter(pk=booking.pk, reminded_evening=False).update(reminded_evening=True)
        if marked:
            audit.record(actor=acting_user, action="rides.reminder_called", obj=booking)
    return bool(marked)


def _at_home(booking: Booking, which: str) -> bool:
    """The booking's `which` end is a place (not a meeting point) where the rider's saved home is."""
    rider = booking.rider
    if rider is None or rider.home_lat is None or rider.home_lon is None or getattr(booking, f"{which}_id"):
        return False
    at = (getattr(booking, f"{which}_lat"), getattr(booking, f"{which}_lon"))
    return (round(at[0], 6), round(at[1], 6)) == (round(rider.home_lat, 6), round(rider.home_lon, 6))


def usual_trip_of(booking: Booking) -> UsualTrip:
    """The usual trip a booking would make: each end its meeting point or the rider's home, at its local time (a
    pickup from, or an arrival by), for its passengers; named 「乗る所 → 降りる所」 (「自宅 → 両津病院」). Not saved.
    Any other place sent from the map is refused (no name to book it again by; saving it as the home comes first)."""
    homes = {which: _at_home(booking, which) for which in ("origin", "destination")}
    if any(getattr(booking, f"{which}_id") is None and not homes[which] for which in homes):
        raise ValidationError(_("Only a trip between meeting points or your home can be saved as a usual trip."))
    usual_time = asked_time(booking.earliest_pickup, booking.latest_arrival).replace(second=0, microsecond=0)
    trip = UsualTrip(rider=booking.rider, origin=booking.origin, origin_home=homes["origin"],
                     destination=booking.destination, destination_home=homes["destination"],
                     usual_time=usual_time, by_arrival=booking.latest_arrival is not None,
                     passengers=booking.passengers)
    trip.label = cut(f"{trip.origin_label} → {trip.destination_label}", USUAL_TRIP_LABEL_MAX)
    return trip


def may_save_as_usual(booking: Booking) -> bool:
    """Can the rider save this LINE booking as a usual trip: each end a meeting point or their home, not one of
    their usual trips already, and room among their usual trips."""
    if booking.rider is None:
        return False
    try:
        trip = usual_trip_of(booking)
    except ValidationError:
        return False
    trips = UsualTrip.objects.filter(rider=booking.rider)
    return trips.count() < USUAL_TRIPS_MAX and not trips.filter(
        origin=trip.origin, origin_home=trip.origin_home, destination=trip.destination,
        destination_home=trip.destination_home, usual_time=trip.usual_time, by_arrival=trip.by_arrival,
        passengers=trip.passengers).exists()


def save_usual_trip_from_line(*, subscriber_id: int, booking: Booking) -> UsualTrip:
    """The LINE friend saves a ride they just booked as a usual trip (the phone desk saves them otherwise): the
    booking must be theirs; the same trip twice, a place sent that is not their home or more than USUAL_TRIPS_MAX
    are refused."""
    with transaction.atomic():
        _own_rider_locked(booking, subscriber_id)
        if not may_save_as_usual(booking):
            raise ValidationError(_("This trip is among your usual trips already, or you have %(max)d of them "
                                    "(the phone desk can remove one).") % {"max": USUAL_TRIPS_MAX})
        trip = usual_trip_of(booking)
        trip.save()
        audit.record(actor=None, action="rides.usual_trip_create", obj=trip,
                     changes={"channel": "line", "booking": booking.pk})
    return trip


def _own_rider_locked(booking: Booking, subscriber_id: int) -> Rider:
    """The booking's rider, row-locked (two taps at once save once) and set on it, when the LINE friend is linked to
    them; PermissionDenied for anyone else's booking (or one unlinked meanwhile)."""
    rider = Rider.objects.select_for_update().filter(
        pk=booking.rider_id, line_link__subscriber_id=subscriber_id).first() if booking.rider_id else None
    if rider is None:
        raise PermissionDenied("a booking of another LINE friend")
    booking.rider = rider
    return rider


def home_to_offer(booking: Booking) -> str | None:
    """The end of a LINE booking the rider may save as their home: the place they sent from the map ("origin" first:
    a door-to-door ride usually starts at home, else "destination"), when their saved rider has no home yet (a home
    the phone desk saved is changed at the desk). None otherwise."""
    rider = booking.rider
    if rider is None or rider.home_lat is not None or rider.home_lon is not None:
        return None
    if booking.origin_id is None:
        return "origin"
    if booking.destination_id is None:
        return "destination"
    return None


def save_home_from_line(*, subscriber_id: int, booking: Booking, which: str) -> Rider:
    """The LINE friend keeps the place they sent for a ride just booked as their home: next time 「自宅」 is one tap.
    Their own booking only; refused once a home is saved (two taps, or the desk meanwhile). Audited without the
    place (personal data: where someone lives)."""
    if which not in ("origin", "destination"):
        raise PermissionDenied("not a place of this booking")
    with transaction.atomic():
        rider = _own_rider_locked(booking, subscriber_id)
        if home_to_offer(booking) is None or getattr(booking, f"{which}_id") is not None:
            raise ValidationError(_("Your home is saved already. To change it, call the phone desk."))
        rider.home_lat, rider.home_lon = getattr(booking, f"{which}_lat"), getattr(booking, f"{which}_lon")
        rider.save(update_fields=["home_lat", "home_lon"])
        audit.record(actor=None, action="rides.rider_update", obj=rider,
                     changes={"fields": ["home_lat", "home_lon"], "channel": "line", "booking": booking.pk})
    return rider


def remove_usual_trip_from_line(*, subscriber_id: int, trip: UsualTrip) -> None:
    """The LINE friend removes one of their usual trips (one the desk or they saved)."""
    if not RiderLink.objects.filter(rider_id=trip.rider_id, subscriber_id=subscriber_id).exists():
        raise PermissionDenied("a usual trip of another LINE friend")
    delete_usual_trip(actor=None, trip=trip, channel="line")
