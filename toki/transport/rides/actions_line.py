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
from toki.transport.rides import permissions
from toki.transport.rides.actions import save_rider
from toki.transport.rides.models import Booking, Rider, RiderLink, ServiceArea

# The date of the consent text the conversation shows (toki/linebot/rides_chat.py): a new text, a new version.
CONSENT_VERSION = "2026-12-07"
NAME_MAX = 60
PHONE_DIGITS = (10, 11)  # Japanese fixed lines (0259-xx-xxxx) and mobiles (090-xxxx-xxxx)


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
