"""Booking a shared ride in LINE (issue 19; docs/line.md, "Shared rides"): area → from → to → day → time →
passengers → wheelchair → confirm, each a text with quick replies (at most 13: long lists are paged), then the
answer at once from the same `book_ride` as the web page and the phone desk — the promised pickup window and the
predicted arrival, or the reason and other times. "My bookings" lists the rides to come and cancels one.

State lives on the server (`RideConversation`, one per friend, 30 minutes): every button carries the token of the
answer it belongs to (`ride=<kind>&t=<token>&v=<value>`), and a postback is taken only when its token is the current
one, its kind is what the step expects and its value is one that was offered (a point of the chosen area, a day and
time the rules allow now). Anything else — an old button, a forged postback, a conversation that expired — gets
`stale_messages` and changes nothing. The first booking asks for consent, the name and the phone number, and links
the friend to a saved rider (toki.transport.rides.actions_line).

Call inside `translation.override(subscriber.language)` (handlers.py does).
"""

import secrets
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.linebot.models import RideConversation
from toki.linebot.replies import label, postback, quick, site_url, text_message
from toki.notify.models import Subscriber
from toki.transport.rides import actions as ride_actions
from toki.transport.rides import actions_line, selectors, selectors_line
from toki.transport.rides.models import Booking, MeetingPoint, ServiceArea
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.wording import booking_lines, day_label, full_day, hhmm

LIFETIME = timedelta(minutes=30)
QUICK_MAX = 13  # LINE's limit of quick-reply items
PAGE = 9  # list items per answer: + previous, next, a time picker and "stop" stay within 13
MAX_PASSENGERS = 4  # more than this: the phone desk (a group needs a word about seats)
LISTED_BOOKINGS = 10

# What each step takes: the postback kinds (text steps take a text as well).
EXPECTS = {
    "area": {"area", "page"},
    "consent": {"consent"},
    "name": set(),
    "phone": set(),
    "from": {"from", "page"},
    "to": {"to", "page"},
    "date": {"date"},
    "time": {"time", "page"},
    "pax": {"pax"},
    "wc": {"wc"},
    "confirm": {"book"},
    "refused": {"alt", "retime"},
    "mine": {"cancel", "unlink"},
    "cancel": {"cancel_yes", "keep"},
}
TEXT_STEPS = ("name", "phone")


# --- State ----------------------------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(12)


def _begin(subscriber: Subscriber, step: str, data: dict | None = None) -> RideConversation:
    """A new conversation for the friend (replacing any other); expired ones of everybody are deleted."""
    now = timezone.now()
    RideConversation.objects.filter(expires_at__lt=now).delete()
    conversation, _created = RideConversation.objects.update_or_create(
        subscriber=subscriber, defaults={"step": step, "token": _new_token(), "data": data or {},
                                         "expires_at": now + LIFETIME})
    return conversation


def _current(subscriber: Subscriber) -> RideConversation | None:
    return RideConversation.objects.filter(subscriber=subscriber, expires_at__gt=timezone.now()).first()


def _claim(subscriber: Subscriber, token: str, kind: str) -> RideConversation | None:
    """The friend's conversation if `token` is its current token and `kind` what its step takes; it gets a new token
    (one conditional UPDATE: of two copies of a tap, or two workers, exactly one goes on)."""
    conversation = _current(subscriber)
    if conversation is None or not token or not secrets.compare_digest(conversation.token, token):
        return None
    if kind not in EXPECTS.get(conversation.step, set()) and kind != "quit":
        return None
    fresh = _new_token()
    if not RideConversation.objects.filter(pk=conversation.pk, token=token).update(
            token=fresh, expires_at=timezone.now() + LIFETIME):
        return None
    conversation.token = fresh
    return conversation


def _move(conversation: RideConversation, step: str, **data) -> None:
    conversation.step = step
    conversation.data = {**conversation.data, **data}
    RideConversation.objects.filter(pk=conversation.pk).update(step=step, data=conversation.data)


def _end(conversation: RideConversation) -> None:
    RideConversation.objects.filter(pk=conversation.pk).delete()


def awaits_text(subscriber: Subscriber) -> bool:
    conversation = _current(subscriber)
    return conversation is not None and conversation.step in TEXT_STEPS


def drop(subscriber: Subscriber) -> None:
    RideConversation.objects.filter(subscriber=subscriber).delete()


# --- Buttons --------------------------------------------------------------------------------------------------


def _button(conversation: RideConversation, text: str, kind: str, value: str = "") -> dict:
    data = {"ride": kind, "t": conversation.token}
    if value:
        data["v"] = value
    return postback(text, urlencode(data))


def _stop(conversation: RideConversation) -> dict:
    return _button(conversation, _("Stop"), "quit")


def _paged(conversation: RideConversation, items: list[dict], page: int, *, extra: tuple[dict, ...] = ()) -> dict:
    """A quick reply with one page of `items`, previous/next when there are more, `extra` and "stop" (≤ 13)."""
    pages = max(1, -(-len(items) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = items[page * PAGE:(page + 1) * PAGE]
    if page > 0:
        shown.append(_button(conversation, "◀ " + _("Back"), "page", str(page - 1)))
    if page < pages - 1:
        shown.append(_button(conversation, _("More") + " ▶", "page", str(page + 1)))
    shown += [*extra, _stop(conversation)]
    assert len(shown) <= QUICK_MAX
    return quick(*shown)


def stale_messages() -> list[dict]:
    return [text_message(
        _("This button cannot be used any more (an old button, or more than 30 minutes passed). Nothing was booked "
          "or changed. Send \"Booking\" to start again."),
        quick_reply=quick(postback(_("Book a ride"), "action=ride"), postback(_("My bookings"), "action=rides_mine")))]


def _stopped() -> list[dict]:
    return [text_message(_("Stopped. Nothing was booked."),
                         quick_reply=quick(postback(_("Book a ride"), "action=ride"),
                                           postback(_("My bookings"), "action=rides_mine")))]


# --- Entry points (handlers.py) -------------------------------------------------------------------------------


def start(subscriber: Subscriber) -> list[dict]:
    """「予約」 or the menu: choose the area (skipped when there is one)."""
    conversation = _begin(subscriber, "area")
    areas = list(selectors.public_areas(subscriber.municipality))
    if not areas:
        _end(conversation)
        return [text_message(_("There is no shared ride service to book here."))]
    if len(areas) == 1:
        return _area_chosen(conversation, subscriber, areas[0])
    return _ask_area(conversation, areas, 0)


def on_text(subscriber: Subscriber, text: str) -> list[dict]:
    """The name or the phone number a new rider types."""
    conversation = _current(subscriber)
    if conversation is None or conversation.step not in TEXT_STEPS:
        return stale_messages()
    if conversation.step == "name":
        try:
            name = actions_line.clean_name(text)
        except ValidationError as exc:
            return [text_message(" ".join(exc.messages), quick_reply=quick(_stop(conversation)))]
        _move(conversation, "phone", name=name)
        return [text_message(_("Thank you. Now send your phone number (for the phone desk to call you if "
                               "needed), e.g. 0259-27-1234."), quick_reply=quick(_stop(conversation)))]
    try:
        phone = actions_line.clean_phone(text)
    except ValidationError as exc:
        return [text_message(" ".join(exc.messages), quick_reply=quick(_stop(conversation)))]
    area = ServiceArea.objects.get(pk=conversation.data["area"])
    actions_line.link_line_rider(area=area, subscriber_id=subscriber.pk, name=conversation.data["name"],
                                 phone=phone)
    data = {key: value for key, value in conversation.data.items() if key != "name"}  # not kept once linked
    conversation.data = data
    RideConversation.objects.filter(pk=conversation.pk).update(data=data)
    return [text_message(_("Thank you. You can now book rides through LINE.")), *_ask_from(conversation, area, 0)]


def on_postback(subscriber: Subscriber, values: dict, params: dict) -> list[dict]:
    """A tap on one of the conversation's buttons (`ride=<kind>&t=<token>&v=<value>`; the time picker's choice in
    `params["time"]`)."""
    kind = values.get("ride", "")
    conversation = _claim(subscriber, values.get("t", ""), kind)
    if conversation is None:
        return stale_messages()
    if kind == "quit":
        _end(conversation)
        return _stopped()
    value = values.get("v", "")
    if kind == "time" and not value:
        value = str(params.get("time", ""))
    step = STEPS.get(kind)
    if step is None:
        return stale_messages()
    try:
        return step(conversation, subscriber, value)
    except (ValueError, KeyError, ServiceArea.DoesNotExist, MeetingPoint.DoesNotExist, Booking.DoesNotExist):
        # A value that was never offered (a forged or garbled postback): nothing changes.
        _end(conversation)
        return stale_messages()


def mine(subscriber: Subscriber) -> list[dict]:
    """My bookings: the rides to come, each with a cancel button."""
    bookings = list(selectors_line.line_bookings(subscriber.pk)[:LISTED_BOOKINGS])
    if not bookings:
        drop(subscriber)
        return [text_message(_("You have no rides booked through LINE."),
                             quick_reply=quick(postback(_("Book a ride"), "action=ride")))]
    conversation = _begin(subscriber, "mine")
    lines = [_("Your rides to come:")]
    buttons = []
    for n, booking in enumerate(bookings, start=1):
        lines += ["", f"[{n}]", *booking_lines(booking)]
        buttons.append(_button(conversation, _("Cancel [%(n)d]") % {"n": n}, "cancel", str(booking.pk)))
    buttons.append(_button(conversation, _("Stop using LINE"), "unlink"))
    return [text_message("\n".join(lines), quick_reply=_paged(conversation, buttons, 0))]


# --- Steps ----------------------------------------------------------------------------------------------------


def _area(conversation: RideConversation) -> ServiceArea:
    return ServiceArea.objects.select_related("booking_rule").get(pk=conversation.data["area"])


def _point(area: ServiceArea, pk) -> MeetingPoint:
    return MeetingPoint.objects.get(area=area, pk=int(pk))


def _ask_area(conversation: RideConversation, areas: list[ServiceArea], page: int) -> list[dict]:
    items = [_button(conversation, area.name, "area", area.code) for area in areas]
    return [text_message(_("Shared ride booking. Which area?"), quick_reply=_paged(conversation, items, page))]


def _area_chosen(conversation: RideConversation, subscriber: Subscriber, area: ServiceArea) -> list[dict]:
    _move(conversation, "from", area=area.pk)
    if actions_line.line_rider_in(area=area, subscriber_id=subscriber.pk) is not None:
        return _ask_from(conversation, area, 0)
    _move(conversation, "consent")
    return [text_message("\n".join([
        _("Before your first booking: the city keeps your name and phone number with your LINE account to run the "
          "shared rides (the driver and the phone desk see your name; the phone desk may call you). Reminders "
          "come through LINE. You can stop this at any time under \"My bookings\"."),
        _("Do you agree?"),
    ]), quick_reply=quick(_button(conversation, _("I agree"), "consent"), _stop(conversation)))]


def _step_area(conversation, subscriber, value) -> list[dict]:
    area = ServiceArea.objects.get(municipality=subscriber.municipality, code=value)
    return _area_chosen(conversation, subscriber, area)


def _step_consent(conversation, subscriber, value) -> list[dict]:
    _move(conversation, "name")
    return [text_message(_("Send your name (e.g. 佐渡 花子)."), quick_reply=quick(_stop(conversation)))]


def _ask_from(conversation: RideConversation, area: ServiceArea, page: int) -> list[dict]:
    _move(conversation, "from")
    items = [_button(conversation, point.name, "from", str(point.pk)) for point in area.points.order_by("name")]
    return [text_message(_("Where do you get on? (%(area)s)") % {"area": area.name},
                         quick_reply=_paged(conversation, items, page))]


def _step_from(conversation, subscriber, value) -> list[dict]:
    area = _area(conversation)
    origin = _point(area, value)
    return _ask_to(conversation, area, origin, 0)


def _ask_to(conversation: RideConversation, area: ServiceArea, origin: MeetingPoint, page: int) -> list[dict]:
    _move(conversation, "to", origin=origin.pk)
    items = [_button(conversation, point.name, "to", str(point.pk))
             for point in area.points.exclude(pk=origin.pk).order_by("name")]
    return [text_message(_("From %(place)s. Where to?") % {"place": origin.name},
                         quick_reply=_paged(conversation, items, page))]


def _service(conversation: RideConversation) -> selectors_line.ServiceView:
    area = _area(conversation)
    return selectors_line.ServiceView(area, _point(area, conversation.data["origin"]),
                                      _point(area, conversation.data["destination"]), timezone.now())


def _step_to(conversation, subscriber, value) -> list[dict]:
    area = _area(conversation)
    destination = _point(area, value)
    if destination.pk == conversation.data["origin"]:
        raise ValueError("the same point twice")
    _move(conversation, "date", destination=destination.pk)
    service = _service(conversation)
    days = service.days()
    if not days:
        _end(conversation)
        return [text_message(_("No day can be booked now. Call the phone desk: %(phone)s")
                             % {"phone": area.phone_number or "-"})]
    items = [_button(conversation, day_label(day), "date", day.isoformat()) for day in days]
    return [text_message(_("%(from)s → %(to)s. Which day?") % {"from": service.origin.name,
                                                              "to": service.destination.name},
                         quick_reply=quick(*items, _stop(conversation)))]


def _step_date(conversation, subscriber, value) -> list[dict]:
    day = date.fromisoformat(value)
    if day not in _service(conversation).days():
        raise ValueError("a day that was not offered")
    _move(conversation, "time", day=day.isoformat())
    return _ask_time(conversation, 0)


def _ask_time(conversation: RideConversation, page: int, note: str = "") -> list[dict]:
    _move(conversation, "time")
    day = date.fromisoformat(conversation.data["day"])
    times = _service(conversation).times(day)
    if not times:
        _end(conversation)
        return [text_message(_("No time can be booked on that day any more."))]
    items = [_button(conversation, hhmm(when), "time", hhmm(when)) for when in times]
    picker = {"type": "datetimepicker", "label": label(_("Other time")),
              "data": urlencode({"ride": "time", "t": conversation.token}), "mode": "time",
              "initial": hhmm(times[0]), "min": hhmm(times[0]), "max": hhmm(times[-1])}
    lines = [note] if note else []
    lines.append(_("%(day)s: from what time can you be picked up?") % {"day": full_day(day)})
    return [text_message("\n".join(lines), quick_reply=_paged(conversation, items, page, extra=(picker,)))]


def _step_page(conversation, subscriber, value) -> list[dict]:
    page = int(value)
    step = conversation.step
    if step == "area":
        return _ask_area(conversation, list(selectors.public_areas(subscriber.municipality)), page)
    area = _area(conversation)
    if step == "from":
        return _ask_from(conversation, area, page)
    if step == "to":
        return _ask_to(conversation, area, _point(area, conversation.data["origin"]), page)
    return _ask_time(conversation, page)


def _pickup(conversation: RideConversation, value: str) -> datetime:
    hour, minute = value.split(":")
    day = date.fromisoformat(conversation.data["day"])
    return timezone.make_aware(datetime(day.year, day.month, day.day, int(hour), int(minute)))


def _step_time(conversation, subscriber, value) -> list[dict]:
    when = _pickup(conversation, value)
    problems = _service(conversation).problems(when)
    if problems:
        return _ask_time(conversation, 0, note=" ".join(problems))
    _move(conversation, "pax", time=hhmm(when))
    items = [_button(conversation, _("%(n)d people") % {"n": n} if n > 1 else _("1 person"), "pax", str(n))
             for n in range(1, MAX_PASSENGERS + 1)]
    return [text_message(_("How many people ride? (more than %(max)d: call the phone desk)")
                         % {"max": MAX_PASSENGERS}, quick_reply=quick(*items, _stop(conversation)))]


def _step_pax(conversation, subscriber, value) -> list[dict]:
    passengers = int(value)
    if not 1 <= passengers <= MAX_PASSENGERS:
        raise ValueError("passengers out of range")
    _move(conversation, "wc", passengers=passengers)
    return [text_message(_("Does anyone ride in a wheelchair?"), quick_reply=quick(
        _button(conversation, _("No"), "wc", "0"), _button(conversation, _("Yes, a wheelchair"), "wc", "1"),
        _stop(conversation)))]


def _summary(conversation: RideConversation) -> list[str]:
    service = _service(conversation)
    data = conversation.data
    return [
        _("Area: %(area)s") % {"area": service.area.name},
        _("From: %(place)s") % {"place": service.origin.name},
        _("To: %(place)s") % {"place": service.destination.name},
        _("Date: %(day)s") % {"day": full_day(date.fromisoformat(data["day"]))},
        _("Pickup from: %(time)s") % {"time": data["time"]},
        _("Passengers: %(n)d") % {"n": data["passengers"]}
        + (" (" + _("wheelchair") + ")" if data.get("wheelchair") else ""),
    ]


def _step_wc(conversation, subscriber, value) -> list[dict]:
    if value not in ("0", "1"):
        raise ValueError("wheelchair is 0 or 1")
    _move(conversation, "confirm", wheelchair=value == "1")
    return [text_message("\n".join([_("Book this ride?"), *_summary(conversation)]), quick_reply=quick(
        _button(conversation, _("Book"), "book"), _stop(conversation)))]


def _step_book(conversation, subscriber, value) -> list[dict]:
    """The one place a LINE booking is made: through `book_ride`, as the web page and the phone desk."""
    service = _service(conversation)
    data = conversation.data
    rider = actions_line.line_rider_in(area=service.area, subscriber_id=subscriber.pk)
    if rider is None:  # they withdrew their consent meanwhile
        raise ValueError("no rider linked")
    request = RideRequest(area=service.area, origin=Place.of(service.origin),
                          destination=Place.of(service.destination),
                          earliest_pickup=_pickup(conversation, data["time"]), latest_arrival=None,
                          passengers=int(data["passengers"]), wheelchairs=1 if data.get("wheelchair") else 0)
    answer = ride_actions.book_ride(acting_user=None, request=request, channel=Booking.Channel.LINE, rider=rider)
    booking = answer.booking
    if booking.status == Booking.Status.ACCEPTED:
        _end(conversation)
        return [text_message("\n".join([
            _("Booked. Please be at the pickup point during the promised window."), "", *booking_lines(booking), "",
            _("Details: %(url)s") % {"url": site_url("rides:booking", booking.reference)},
        ]), quick_reply=quick(postback(_("My bookings"), "action=rides_mine"),
                              postback(_("Book another ride"), "action=ride")))]
    lines = [_("Sorry, this ride cannot be booked."), booking.reason]
    if not answer.alternatives:
        _end(conversation)
        lines.append(_("Phone desk: %(phone)s") % {"phone": service.area.phone_number or "-"})
        return [text_message("\n".join(lines), quick_reply=quick(postback(_("Book a ride"), "action=ride")))]
    _move(conversation, "refused", offered=[hhmm(when) for when in answer.alternatives])
    lines.append(_("These times have room now:"))
    items = [_button(conversation, hhmm(when), "alt", hhmm(when)) for when in answer.alternatives]
    items.append(_button(conversation, _("Another time"), "retime"))
    return [text_message("\n".join(lines), quick_reply=quick(*items, _stop(conversation)))]


def _step_alt(conversation, subscriber, value) -> list[dict]:
    if value not in conversation.data.get("offered", []):
        raise ValueError("a time that was not offered")
    _move(conversation, "confirm", time=value)
    return [text_message("\n".join([_("Book this ride?"), *_summary(conversation)]), quick_reply=quick(
        _button(conversation, _("Book"), "book"), _stop(conversation)))]


def _step_retime(conversation, subscriber, value) -> list[dict]:
    return _ask_time(conversation, 0)


def _step_cancel(conversation, subscriber, value) -> list[dict]:
    booking = selectors_line.line_booking(subscriber.pk, int(value))
    _move(conversation, "cancel", booking=booking.pk)
    return [text_message("\n".join([_("Cancel this ride?"), *booking_lines(booking)]), quick_reply=quick(
        _button(conversation, _("Cancel the ride"), "cancel_yes", str(booking.pk)),
        _button(conversation, _("Keep it"), "keep")))]


def _step_cancel_yes(conversation, subscriber, value) -> list[dict]:
    if int(value) != conversation.data.get("booking"):
        raise ValueError("another booking than the one asked about")
    booking = selectors_line.line_booking(subscriber.pk, int(value))
    _end(conversation)
    try:
        ride_actions.cancel_booking(acting_user=None, booking=booking, by_rider=True)
    except ValidationError as exc:
        return [text_message(" ".join(exc.messages) + "\n" + _("Phone desk: %(phone)s")
                             % {"phone": booking.area.phone_number or "-"})]
    return [text_message(_("The ride of %(day)s at %(time)s was cancelled.")
                         % {"day": full_day(booking.service_date),
                            "time": hhmm(booking.promised_pickup_from) if booking.promised_pickup_from else "-"},
                         quick_reply=quick(postback(_("My bookings"), "action=rides_mine"),
                                           postback(_("Book a ride"), "action=ride")))]


def _step_keep(conversation, subscriber, value) -> list[dict]:
    _end(conversation)
    return [text_message(_("The ride stays booked."), quick_reply=quick(
        postback(_("My bookings"), "action=rides_mine"), postback(_("Book a ride"), "action=ride")))]


def _step_unlink(conversation, subscriber, value) -> list[dict]:
    with transaction.atomic():
        actions_line.unlink_line_rider(subscriber_id=subscriber.pk)
        _end(conversation)
    return [text_message(_("LINE is no longer linked to your rides: no reminders come here. Your booked rides "
                           "stay booked; the phone desk will call you. To book through LINE again, send "
                           "\"Booking\"."))]


STEPS = {
    "area": _step_area, "consent": _step_consent, "from": _step_from, "to": _step_to, "date": _step_date,
    "time": _step_time, "page": _step_page, "pax": _step_pax, "wc": _step_wc, "book": _step_book,
    "alt": _step_alt, "retime": _step_retime, "cancel": _step_cancel, "cancel_yes": _step_cancel_yes,
    "keep": _step_keep, "unlink": _step_unlink,
}
