"""Booking a shared ride in LINE (issue 19; docs/line.md, "Shared rides"): area → (usual trips) → from → to →
departure or arrival time → day → time → passengers → wheelchair → confirm, each a text with quick replies (at most
13: long lists are paged), then the answer at once from the same `book_ride` as the web page and the phone desk —
the promised pickup window and the predicted arrival, or the reason and other times. "My bookings" lists the rides
to come and cancels one (rides_chat_mine.py).

- By arrival: 「到着時刻で」 books "at the hospital by 10:00" (the request's latest arrival); 「出発時刻で」 by the
  earliest pickup.
- Door to door (areas that allow it): besides the meeting points, the rider sends a place with LINE's location
  button (a map on the phone) or taps 「自宅」 when their home is saved (by the phone desk, or by the rider with
  「乗る場所を自宅に登録」 under a ride just booked from a place sent); a place outside the area's polygon is refused
  with a message saying so, and `book_ride` checks it again.
- Usual trips: a linked rider's usual trips (the phone desk saves them, or the rider with 「いつもの行き先に登録」 under
  a ride just booked between meeting points) come first as one-tap buttons that fill in from, to, how the time is
  given and the passengers; with a usual time that can be booked that day, the next answer is the summary.

State lives on the server (rides_chat_state.py): a postback is taken only when its token is the current one, its
kind is what the step expects and its value is one that was offered (a point of the chosen area, a day and time the
rules allow now, one of the rider's own usual trips). Anything else — an old button, a forged postback, a
conversation that expired — gets `stale_messages` and changes nothing. The first booking asks for consent, the name
and the phone number, and links the friend to a saved rider (toki.transport.rides.actions_line).

Call inside `translation.override(subscriber.language)` (handlers.py does).
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.linebot import rides_chat_mine
from toki.linebot.models import RideConversation
from toki.linebot.replies import label, postback, quick, site_url, text_message
from toki.linebot.rides_chat_state import (
    PLACE_STEPS,
    TEXT_STEPS,
    again_buttons,
    awaits_text,
    begin,
    button,
    claim,
    current,
    drop,
    end,
    location_button,
    move,
    paged,
    stale_messages,
    stop,
    stopped_messages,
)
from toki.notify.models import Subscriber
from toki.transport.rides import actions as ride_actions
from toki.transport.rides import actions_line, selectors, selectors_line
from toki.transport.rides.models import Booking, MeetingPoint, Rider, ServiceArea, UsualTrip
from toki.transport.rides.rules import Place
from toki.transport.rides.wording import booking_lines, day_label, full_day, hhmm

MAX_PASSENGERS = 4  # more than this: the phone desk (a group needs a word about seats)
ADDRESS_MAX = 60  # characters of the address LINE sends with a location, shown back in the summary

__all__ = ["awaits_text", "drop", "mine", "on_location", "on_postback", "on_text", "stale_messages", "start"]
mine = rides_chat_mine.mine


# --- Entry points (handlers.py) -------------------------------------------------------------------------------


def start(subscriber: Subscriber) -> list[dict]:
    """「予約」 or the menu: choose the area (skipped when there is one)."""
    conversation = begin(subscriber, "area")
    areas = list(selectors.public_areas(subscriber.municipality))
    if not areas:
        end(conversation)
        return [text_message(_("There is no shared ride service to book here."))]
    if len(areas) == 1:
        return _area_chosen(conversation, subscriber, areas[0])
    return _ask_area(conversation, areas, 0)


def on_text(subscriber: Subscriber, text: str) -> list[dict]:
    """The name or the phone number a new rider types."""
    conversation = current(subscriber)
    if conversation is None or conversation.step not in TEXT_STEPS:
        return stale_messages()
    if conversation.step == "name":
        try:
            name = actions_line.clean_name(text)
        except ValidationError as exc:
            return [text_message(" ".join(exc.messages), quick_reply=quick(stop(conversation)))]
        move(conversation, "phone", name=name)
        return [text_message(_("Thank you. Now send your phone number (for the phone desk to call you if "
                               "needed), e.g. 0259-27-1234."), quick_reply=quick(stop(conversation)))]
    try:
        phone = actions_line.clean_phone(text)
    except ValidationError as exc:
        return [text_message(" ".join(exc.messages), quick_reply=quick(stop(conversation)))]
    area = ServiceArea.objects.get(pk=conversation.data["area"])
    rider = actions_line.link_line_rider(area=area, subscriber_id=subscriber.pk, name=conversation.data["name"],
                                         phone=phone)
    move(conversation, conversation.step, name=None)  # the name is not kept once linked
    return [text_message(_("Thank you. You can now book rides through LINE.")),
            *_ask_start(conversation, area, rider)]


def on_location(subscriber: Subscriber, lat: float, lon: float, address: str = "") -> list[dict] | None:
    """A location message while the conversation asks where from or where to, in a door-to-door area: that place,
    when it lies inside the area. None when the conversation is not asking for a place (the location is then
    answered as always: the nearest shelters)."""
    conversation = current(subscriber)
    if conversation is None or conversation.step not in PLACE_STEPS:
        return None
    area = _area(conversation)
    if not area.door_to_door:
        return None
    which = "origin" if conversation.step == "from" else "destination"
    place = selectors_line.place_in_area(area, lat, lon)
    if place is None:
        note = _("The place you sent is outside the service area (%(area)s). Send a place inside the area, or "
                 "choose a stop below.") % {"area": area.name}
        return _ask_from(conversation, area, 0, note) if which == "origin" else _ask_to(conversation, area, 0, note)
    claimed = claim(subscriber, conversation.token, "location")
    if claimed is None:
        return stale_messages()
    chosen = {"at": [place.lat, place.lon], "address": " ".join(str(address).split())[:ADDRESS_MAX]}
    try:
        if which == "destination" and _same_place(_place(claimed, area, "origin"), place):
            return _ask_to(claimed, area, 0, _("That is where you get on. Send where you get off."))
        return _place_chosen(claimed, area, which, chosen)
    except (ValueError, KeyError, MeetingPoint.DoesNotExist):  # the pickup chosen before is gone meanwhile
        end(claimed)
        return stale_messages()


def on_postback(subscriber: Subscriber, values: dict, params: dict) -> list[dict]:
    """A tap on one of the conversation's buttons (`ride=<kind>&t=<token>&v=<value>`; the time picker's choice in
    `params["time"]`)."""
    kind = values.get("ride", "")
    step = STEPS.get(kind)
    if step is None and kind != "quit":  # no button has it (a location comes as a message, not a postback)
        return stale_messages()
    conversation = claim(subscriber, values.get("t", ""), kind)
    if conversation is None:
        return stale_messages()
    if step is None:
        end(conversation)
        return stopped_messages()
    value = values.get("v", "")
    if kind == "time" and not value:
        value = str(params.get("time", ""))
    try:
        return step(conversation, subscriber, value)
    except (ValueError, KeyError, TypeError, ServiceArea.DoesNotExist, MeetingPoint.DoesNotExist,
            Booking.DoesNotExist, UsualTrip.DoesNotExist):
        # A value that was never offered (a forged or garbled postback): nothing changes.
        end(conversation)
        return stale_messages()


# --- Places -----------------------------------------------------------------------------------------------------


def _area(conversation: RideConversation) -> ServiceArea:
    return ServiceArea.objects.select_related("booking_rule").get(pk=conversation.data["area"])


def _point(area: ServiceArea, pk) -> MeetingPoint:
    return MeetingPoint.objects.get(area=area, pk=int(pk), active=True)


def _rider(subscriber: Subscriber, area: ServiceArea) -> Rider:
    rider = selectors_line.line_rider(area, subscriber.pk)
    if rider is None:  # they withdrew their consent meanwhile
        raise ValueError("no rider linked")
    return rider


def _place(conversation: RideConversation, area: ServiceArea, which: str) -> Place:
    """The origin or destination chosen so far: a meeting point, or a door-to-door place checked again."""
    data = conversation.data
    at = data.get(f"{which}_at")
    if at is None:
        return Place.of(_point(area, data[which]))
    place = selectors_line.place_in_area(area, float(at[0]), float(at[1]))
    if place is None:
        raise ValueError("a place outside the area")
    return place


def _place_name(conversation: RideConversation, place: Place, which: str) -> str:
    if place.point is not None:
        return place.point.name
    if conversation.data.get(f"{which}_home"):
        return _("Your home")
    address = conversation.data.get(f"{which}_address")
    return _("The place you sent (%(address)s)") % {"address": address} if address else _("The place you sent")


def _same_place(a: Place, b: Place) -> bool:
    return (round(a.lat, 6), round(a.lon, 6)) == (round(b.lat, 6), round(b.lon, 6))


def _place_chosen(conversation: RideConversation, area: ServiceArea, which: str, chosen: dict) -> list[dict]:
    """Keep the place chosen for `which` (a point pk, or `at` [lat, lon] with an address or home), then go on."""
    move(conversation, conversation.step, **{
        which: chosen.get("point"), f"{which}_at": chosen.get("at"), f"{which}_address": chosen.get("address") or None,
        f"{which}_home": chosen.get("home"), "trip": None, "usual_time": None})
    if which == "origin":
        return _ask_to(conversation, area, 0)
    return _ask_mode(conversation)


def _ask_area(conversation: RideConversation, areas: list[ServiceArea], page: int) -> list[dict]:
    items = [button(conversation, area.name, "area", area.code) for area in areas]
    return [text_message(_("Shared ride booking. Which area?"), quick_reply=paged(conversation, items, page))]


def _area_chosen(conversation: RideConversation, subscriber: Subscriber, area: ServiceArea) -> list[dict]:
    move(conversation, "from", area=area.pk)
    rider = actions_line.line_rider_in(area=area, subscriber_id=subscriber.pk)
    if rider is not None:
        return _ask_start(conversation, area, rider)
    move(conversation, "consent")
    return [text_message("\n".join([
        _("Before your first booking: the city keeps your name and phone number with your LINE account to run the "
          "shared rides (the driver and the phone desk see your name; the phone desk may call you). Reminders "
          "come through LINE. You can stop this at any time under \"My bookings\"."),
        _("Do you agree?"),
    ]), quick_reply=quick(button(conversation, _("I agree"), "consent"), stop(conversation)))]


def _ask_start(conversation: RideConversation, area: ServiceArea, rider: Rider) -> list[dict]:
    """The rider's usual trips first, when the phone desk saved some; else where from."""
    if selectors_line.usual_trips(rider).exists():
        return _ask_usual(conversation, rider, 0)
    return _ask_from(conversation, area, 0)


def _ask_usual(conversation: RideConversation, rider: Rider, page: int) -> list[dict]:
    move(conversation, "usual")
    trips = list(selectors_line.usual_trips(rider))
    lines = [_("Your usual trips. Tap one, or \"Another trip\".")]
    for trip in trips:
        when = _usual_time_words(trip)
        lines.append(f"・{trip.label}: {trip.origin_label} → {trip.destination_label}" + (f" ({when})" if when else ""))
    items = [button(conversation, trip.label, "usual", str(trip.pk)) for trip in trips]
    other = button(conversation, _("Another trip"), "other")
    return [text_message("\n".join(lines), quick_reply=paged(conversation, items, page, extra=(other,)))]


def _usual_time_words(trip: UsualTrip) -> str:
    """「10:00までに到着」 or 「10:00から乗る」; "" for a trip without a usual time."""
    if trip.usual_time is None:
        return ""
    return (_("Arrive by %(time)s") if trip.by_arrival else _("Pick-up from %(time)s")) % {
        "time": trip.usual_time.strftime("%H:%M")}


def _place_items(conversation: RideConversation, area: ServiceArea, which: str,
                 exclude: Place | None = None) -> list[dict]:
    """The buttons for a place: 「自宅」 when the rider's home is saved (door to door), then the meeting points."""
    items = []
    rider = selectors_line.line_rider(area, conversation.subscriber_id)
    home = selectors_line.home_place(rider) if rider is not None else None
    if home is not None and (exclude is None or not _same_place(home, exclude)):
        items.append(button(conversation, _("Your home"), "home", which))
    points = area.points.filter(active=True).order_by("name")  # a point out of service is offered to nobody
    if exclude is not None and exclude.point is not None:
        points = points.exclude(pk=exclude.point.pk)
    items += [button(conversation, point.name, "from" if which == "origin" else "to", str(point.pk))
              for point in points]
    return items


def _ask_from(conversation: RideConversation, area: ServiceArea, page: int, note: str = "") -> list[dict]:
    move(conversation, "from")
    lines = [note] if note else []
    lines.append(_("Where do you get on? (%(area)s)") % {"area": area.name})
    extra: tuple[dict, ...] = ()
    if area.door_to_door:
        lines.append(_("To be picked up somewhere else, such as your home: tap \"Send a place\" and choose it on "
                       "the map."))
        extra = (location_button(),)
    items = _place_items(conversation, area, "origin")
    return [text_message("\n".join(lines), quick_reply=paged(conversation, items, page, extra=extra))]


def _ask_to(conversation: RideConversation, area: ServiceArea, page: int, note: str = "") -> list[dict]:
    move(conversation, "to")
    origin = _place(conversation, area, "origin")
    lines = [note] if note else []
    lines.append(_("From %(place)s. Where to?") % {"place": _place_name(conversation, origin, "origin")})
    extra: tuple[dict, ...] = ()
    if area.door_to_door:
        lines.append(_("To go somewhere else: tap \"Send a place\" and choose it on the map."))
        extra = (location_button(),)
    items = _place_items(conversation, area, "destination", exclude=origin)
    return [text_message("\n".join(lines), quick_reply=paged(conversation, items, page, extra=extra))]


def _step_area(conversation, subscriber, value) -> list[dict]:
    area = ServiceArea.objects.get(municipality=subscriber.municipality, code=value)
    return _area_chosen(conversation, subscriber, area)


def _step_consent(conversation, subscriber, value) -> list[dict]:
    move(conversation, "name")
    return [text_message(_("Send your name (e.g. 佐渡 花子)."), quick_reply=quick(stop(conversation)))]


def _step_usual(conversation, subscriber, value) -> list[dict]:
    """One tap on a usual trip fills in from, to, how the time is given and the passengers."""
    area = _area(conversation)
    rider = _rider(subscriber, area)
    trip = selectors_line.usual_trip(rider, int(value))
    cleared: dict[str, object] = {f"{which}_{key}": None for which in ("origin", "destination")
                                  for key in ("at", "address", "home")}
    home = selectors_line.home_place(rider)  # there while a trip from or to home is offered (usual_trips)
    for which in ("origin", "destination"):
        if getattr(trip, f"{which}_home") and home is not None:
            cleared.update({f"{which}_at": [home.lat, home.lon], f"{which}_home": True})
    move(conversation, "date", **cleared, origin=trip.origin_id, destination=trip.destination_id,
         by_arrival=trip.by_arrival, trip=trip.pk, passengers=trip.passengers, wheelchair=rider.wheelchair,
         usual_time=trip.usual_time.strftime("%H:%M") if trip.usual_time else None)
    return _ask_date(conversation)


def _step_other(conversation, subscriber, value) -> list[dict]:
    return _ask_from(conversation, _area(conversation), 0)


def _step_from(conversation, subscriber, value) -> list[dict]:
    area = _area(conversation)
    return _place_chosen(conversation, area, "origin", {"point": _point(area, value).pk})


def _step_to(conversation, subscriber, value) -> list[dict]:
    area = _area(conversation)
    destination = _point(area, value)
    if _same_place(_place(conversation, area, "origin"), Place.of(destination)):
        raise ValueError("the same place twice")
    return _place_chosen(conversation, area, "destination", {"point": destination.pk})


def _step_home(conversation, subscriber, value) -> list[dict]:
    area = _area(conversation)
    which = "origin" if conversation.step == "from" else "destination"
    if value != which:
        raise ValueError("a home button of another step")
    home = selectors_line.home_place(_rider(subscriber, area))
    if home is None:
        raise ValueError("no home saved inside the area")
    if which == "destination" and _same_place(_place(conversation, area, "origin"), home):
        raise ValueError("the same place twice")
    return _place_chosen(conversation, area, which, {"at": [home.lat, home.lon], "home": True})


# --- When --------------------------------------------------------------------------------------------------------


def _service(conversation: RideConversation) -> selectors_line.ServiceView:
    area = _area(conversation)
    return selectors_line.ServiceView(area, _place(conversation, area, "origin"),
                                      _place(conversation, area, "destination"), timezone.now(),
                                      by_arrival=bool(conversation.data.get("by_arrival")))


def _route(conversation: RideConversation, service: selectors_line.ServiceView) -> str:
    return "%s → %s" % (_place_name(conversation, service.origin, "origin"),  # noqa: UP031
                        _place_name(conversation, service.destination, "destination"))


def _ask_mode(conversation: RideConversation) -> list[dict]:
    move(conversation, "mode")
    service = _service(conversation)
    return [text_message("\n".join([
        _route(conversation, service), "",
        _("Which time do you want to give?"),
        _("・\"By departure time\": the time from which you can be picked up."),
        _("・\"By arrival time\": the time you must arrive by (a hospital appointment, a ferry)."),
    ]), quick_reply=quick(button(conversation, _("By departure time"), "mode", "pickup"),
                          button(conversation, _("By arrival time"), "mode", "arrival"), stop(conversation)))]


def _step_mode(conversation, subscriber, value) -> list[dict]:
    if value not in ("pickup", "arrival"):
        raise ValueError("pickup or arrival")
    move(conversation, "date", by_arrival=value == "arrival")
    return _ask_date(conversation)


def _ask_date(conversation: RideConversation) -> list[dict]:
    move(conversation, "date")
    service = _service(conversation)
    days = service.days()
    if not days:
        end(conversation)
        return [text_message(_("No day can be booked now. Call the phone desk: %(phone)s")
                             % {"phone": service.area.phone_number or "-"})]
    items = [button(conversation, day_label(day), "date", day.isoformat()) for day in days]
    return [text_message(_("%(from)s → %(to)s. Which day?")
                         % {"from": _place_name(conversation, service.origin, "origin"),
                            "to": _place_name(conversation, service.destination, "destination")},
                         quick_reply=quick(*items, stop(conversation)))]


def _step_date(conversation, subscriber, value) -> list[dict]:
    day = date.fromisoformat(value)
    service = _service(conversation)
    if day not in service.days():
        raise ValueError("a day that was not offered")
    move(conversation, "time", day=day.isoformat())
    usual = conversation.data.get("usual_time")
    wheelchairs = 1 if conversation.data.get("wheelchair") else 0
    if usual and not service.problems(_when(conversation, usual), int(conversation.data.get("passengers", 1)),
                                      wheelchairs):
        return _ask_confirm(conversation, time=usual)  # a usual trip at its usual time: straight to the summary
    return _ask_time(conversation, 0)


def _ask_time(conversation: RideConversation, page: int, note: str = "") -> list[dict]:
    move(conversation, "time")
    day = date.fromisoformat(conversation.data["day"])
    by_arrival = bool(conversation.data.get("by_arrival"))
    times = _service(conversation).times(day)
    if not times:
        end(conversation)
        return [text_message(_("No time can be booked on that day any more."))]
    labels = [hhmm(when) for when in times]
    usual = conversation.data.get("usual_time")
    items = []
    if usual in labels:  # the usual time first
        items.append(button(conversation, _("%(time)s (usual)") % {"time": usual}, "time", usual))
    items += [button(conversation, text, "time", text) for text in labels if text != usual]
    picker = {"type": "datetimepicker", "label": label(_("Other time")),
              "data": f"ride=time&t={conversation.token}", "mode": "time",
              "initial": usual if usual in labels else labels[0], "min": labels[0], "max": labels[-1]}
    lines = [note] if note else []
    lines.append((_("%(day)s: by what time do you want to arrive?") if by_arrival
                  else _("%(day)s: from what time can you be picked up?")) % {"day": full_day(day)})
    return [text_message("\n".join(lines), quick_reply=paged(conversation, items, page, extra=(picker,)))]


def _step_page(conversation, subscriber, value) -> list[dict]:
    page = int(value)
    step = conversation.step
    if step == "area":
        return _ask_area(conversation, list(selectors.public_areas(subscriber.municipality)), page)
    if step == "forget":  # from 「予約の確認」: no area chosen
        return rides_chat_mine.ask_forget(conversation, subscriber, page)
    area = _area(conversation)
    if step == "usual":
        return _ask_usual(conversation, _rider(subscriber, area), page)
    if step == "from":
        return _ask_from(conversation, area, page)
    if step == "to":
        return _ask_to(conversation, area, page)
    return _ask_time(conversation, page)


def _when(conversation: RideConversation, value: str) -> datetime:
    hour, minute = value.split(":")
    day = date.fromisoformat(conversation.data["day"])
    return timezone.make_aware(datetime(day.year, day.month, day.day, int(hour), int(minute)))


def _step_time(conversation, subscriber, value) -> list[dict]:
    when = _when(conversation, value)
    problems = _service(conversation).problems(when)
    if problems:
        return _ask_time(conversation, 0, note=" ".join(problems))
    move(conversation, "pax", time=hhmm(when))
    items = [button(conversation, _("%(n)d people") % {"n": n} if n > 1 else _("1 person"), "pax", str(n))
             for n in range(1, MAX_PASSENGERS + 1)]
    return [text_message(_("How many people ride? (more than %(max)d: call the phone desk)")
                         % {"max": MAX_PASSENGERS}, quick_reply=quick(*items, stop(conversation)))]


def _step_pax(conversation, subscriber, value) -> list[dict]:
    passengers = int(value)
    if not 1 <= passengers <= MAX_PASSENGERS:
        raise ValueError("passengers out of range")
    move(conversation, "wc", passengers=passengers)
    return [text_message(_("Does anyone ride in a wheelchair?"), quick_reply=quick(
        button(conversation, _("No"), "wc", "0"), button(conversation, _("Yes, a wheelchair"), "wc", "1"),
        stop(conversation)))]


# --- Confirm and book ---------------------------------------------------------------------------------------------


def _summary(conversation: RideConversation) -> list[str]:
    service = _service(conversation)
    data = conversation.data
    return [
        _("Area: %(area)s") % {"area": service.area.name},
        _("From: %(place)s") % {"place": _place_name(conversation, service.origin, "origin")},
        _("To: %(place)s") % {"place": _place_name(conversation, service.destination, "destination")},
        _("Date: %(day)s") % {"day": full_day(date.fromisoformat(data["day"]))},
        (_("Arrive by: %(time)s") if data.get("by_arrival") else _("Pickup from: %(time)s")) % {"time": data["time"]},
        _("Passengers: %(n)d") % {"n": data["passengers"]}
        + (" (" + _("wheelchair") + ")" if data.get("wheelchair") else ""),
    ]


def _ask_confirm(conversation: RideConversation, **data) -> list[dict]:
    move(conversation, "confirm", **data)
    return [text_message("\n".join([_("Book this ride?"), *_summary(conversation)]), quick_reply=quick(
        button(conversation, _("Book"), "book"), button(conversation, _("Change time or people"), "change"),
        stop(conversation)))]


def _step_wc(conversation, subscriber, value) -> list[dict]:
    if value not in ("0", "1"):
        raise ValueError("wheelchair is 0 or 1")
    return _ask_confirm(conversation, wheelchair=value == "1")


def _step_change(conversation, subscriber, value) -> list[dict]:
    return _ask_time(conversation, 0)


def _step_book(conversation, subscriber, value) -> list[dict]:
    """The one place a LINE booking is made: through `book_ride`, as the web page and the phone desk."""
    service = _service(conversation)
    data = conversation.data
    rider = actions_line.line_rider_in(area=service.area, subscriber_id=subscriber.pk)
    if rider is None:  # they withdrew their consent meanwhile
        raise ValueError("no rider linked")
    request = service.request(_when(conversation, data["time"]), int(data["passengers"]),
                              1 if data.get("wheelchair") else 0)
    answer = ride_actions.book_ride(acting_user=None, request=request, channel=Booking.Channel.LINE, rider=rider)
    booking = answer.booking
    if booking.status == Booking.Status.ACCEPTED:
        items = [postback(_("My bookings"), "action=rides_mine"), postback(_("Book another ride"), "action=ride")]
        home_end = actions_line.home_to_offer(booking)
        if actions_line.may_save_as_usual(booking):  # next time one tap: offered for a while, as any button
            move(conversation, "booked", **dict.fromkeys(conversation.data), booking=booking.pk)  # only the booking
            items.insert(0, button(conversation, _("Save as a usual trip"), "save_usual", str(booking.pk)))
        elif home_end is not None:  # a place sent from the map: next time 「自宅」 is one tap
            move(conversation, "booked", **dict.fromkeys(conversation.data), booking=booking.pk, home_end=home_end)
            items.insert(0, button(conversation, _("Save the pickup place as my home") if home_end == "origin"
                                   else _("Save the drop-off place as my home"), "save_home", str(booking.pk)))
        else:
            end(conversation)
        return [text_message("\n".join([
            _("Booked. Please be at the pickup point during the promised window."), "", *booking_lines(booking), "",
            _("Details: %(url)s") % {"url": site_url("rides:booking", booking.reference)},
        ]), quick_reply=quick(*items))]
    lines = [_("Sorry, this ride cannot be booked."), booking.reason]
    if not answer.alternatives:
        end(conversation)
        lines.append(_("Phone desk: %(phone)s") % {"phone": service.area.phone_number or "-"})
        return [text_message("\n".join(lines), quick_reply=quick(postback(_("Book a ride"), "action=ride")))]
    move(conversation, "refused", offered=[hhmm(when) for when in answer.alternatives])
    lines.append(_("These times have room now:"))
    by_arrival = bool(data.get("by_arrival"))
    items = [button(conversation, (_("Arrive by %(time)s") if by_arrival else "%(time)s") % {"time": hhmm(when)},
                    "alt", hhmm(when)) for when in answer.alternatives]
    items.append(button(conversation, _("Another time"), "retime"))
    return [text_message("\n".join(lines), quick_reply=quick(*items, stop(conversation)))]


def _step_save_usual(conversation, subscriber, value) -> list[dict]:
    """「いつもの行き先に登録」 under a booking just made: next time it is one tap under 「予約」."""
    booking = rides_chat_mine.booking_asked_about(conversation, subscriber, value)
    try:
        trip = actions_line.save_usual_trip_from_line(subscriber_id=subscriber.pk, booking=booking)
    except ValidationError as exc:
        return [text_message(" ".join(exc.messages), quick_reply=again_buttons())]
    except PermissionDenied:  # unlinked meanwhile: the booking is no longer theirs to save
        return stale_messages()
    return [text_message("\n".join([
        _("Saved as a usual trip: %(label)s (%(when)s).") % {"label": trip.label, "when": _usual_time_words(trip)},
        _("Next time, send \"Booking\" and tap it."),
    ]), quick_reply=again_buttons())]


def _step_save_home(conversation, subscriber, value) -> list[dict]:
    """「乗る場所を自宅に登録」 under a ride just booked from a place sent from the map."""
    which = conversation.data.get("home_end")
    booking = rides_chat_mine.booking_asked_about(conversation, subscriber, value)
    try:
        actions_line.save_home_from_line(subscriber_id=subscriber.pk, booking=booking, which=which)
    except ValidationError as exc:
        return [text_message(" ".join(exc.messages), quick_reply=again_buttons())]
    except PermissionDenied:  # unlinked meanwhile: the booking is no longer theirs
        return stale_messages()
    return [text_message("\n".join([
        _("Saved as your home."),
        _("Next time, tap \"Your home\" when asked where you get on or off."),
    ]), quick_reply=again_buttons())]


def _step_alt(conversation, subscriber, value) -> list[dict]:
    if value not in conversation.data.get("offered", []):
        raise ValueError("a time that was not offered")
    return _ask_confirm(conversation, time=value)


def _step_retime(conversation, subscriber, value) -> list[dict]:
    return _ask_time(conversation, 0)


STEPS = {
    "area": _step_area, "consent": _step_consent, "usual": _step_usual, "other": _step_other,
    "from": _step_from, "to": _step_to, "home": _step_home, "mode": _step_mode, "date": _step_date,
    "time": _step_time, "page": _step_page, "pax": _step_pax, "wc": _step_wc, "book": _step_book,
    "change": _step_change, "alt": _step_alt, "retime": _step_retime, "save_usual": _step_save_usual,
    "save_home": _step_save_home,
    **rides_chat_mine.STEPS,
}
