"""「予約の確認」 in LINE: the friend's rides to come, cancelling one, and stopping the LINE link (docs/line.md,
"Shared rides"). The steps take a claimed conversation (rides_chat_state.claim); rides_chat.py dispatches to them.

Call inside `translation.override(subscriber.language)` (handlers.py does).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from toki.linebot.replies import postback, quick, text_message
from toki.linebot.rides_chat_state import again_buttons, begin, button, drop, end, move, paged, stale_messages
from toki.notify.models import Subscriber
from toki.transport.rides import actions as ride_actions
from toki.transport.rides import actions_line, selectors_line
from toki.transport.rides.models import Booking
from toki.transport.rides.wording import booking_lines, full_day, hhmm

LISTED_BOOKINGS = 10


def mine(subscriber: Subscriber) -> list[dict]:
    """My bookings: the rides to come, each with a cancel button; and removing a usual trip."""
    bookings = list(selectors_line.line_bookings(subscriber.pk)[:LISTED_BOOKINGS])
    has_trips = selectors_line.line_usual_trips(subscriber.pk).exists()
    if not bookings and not has_trips:
        drop(subscriber)
        return [text_message(_("You have no rides booked through LINE."),
                             quick_reply=quick(postback(_("Book a ride"), "action=ride")))]
    conversation = begin(subscriber, "mine")
    lines = [_("Your rides to come:")] if bookings else [_("You have no rides booked through LINE.")]
    buttons = []
    for n, booking in enumerate(bookings, start=1):
        lines += ["", f"[{n}]", *booking_lines(booking)]
        buttons.append(button(conversation, _("Cancel [%(n)d]") % {"n": n}, "cancel", str(booking.pk)))
    if has_trips:
        buttons.append(button(conversation, _("Remove a usual trip"), "forget"))
    buttons.append(button(conversation, _("Stop using LINE"), "unlink"))
    return [text_message("\n".join(lines), quick_reply=paged(conversation, buttons, 0))]


def ask_forget(conversation, subscriber, page: int) -> list[dict]:
    """Which usual trip to remove: one button per trip (its name)."""
    move(conversation, "forget")
    trips = list(selectors_line.line_usual_trips(subscriber.pk))
    if not trips:
        end(conversation)
        return [text_message(_("You have no usual trips."), quick_reply=again_buttons())]
    lines = [_("Which usual trip do you remove?")]
    lines += [f"・{trip.label}: {trip.origin_label} → {trip.destination_label}" for trip in trips]
    items = [button(conversation, trip.label, "forget_pick", str(trip.pk)) for trip in trips]
    return [text_message("\n".join(lines), quick_reply=paged(conversation, items, page))]


def step_forget(conversation, subscriber, value) -> list[dict]:
    return ask_forget(conversation, subscriber, 0)


def step_forget_pick(conversation, subscriber, value) -> list[dict]:
    trip = selectors_line.line_usual_trip(subscriber.pk, int(value))
    move(conversation, "forget_confirm", trip=trip.pk)
    return [text_message(_("Remove %(label)s (%(from)s → %(to)s) from your usual trips?") % {
        "label": trip.label, "from": trip.origin_label, "to": trip.destination_label}, quick_reply=quick(
        button(conversation, _("Remove it"), "forget_yes", str(trip.pk)),
        button(conversation, _("Keep the trip"), "forget_no")))]


def step_forget_yes(conversation, subscriber, value) -> list[dict]:
    trip = selectors_line.line_usual_trip(subscriber.pk, _asked_about(conversation, "trip", value))
    end(conversation)
    try:
        actions_line.remove_usual_trip_from_line(subscriber_id=subscriber.pk, trip=trip)
    except PermissionDenied:  # unlinked meanwhile
        return stale_messages()
    return [text_message(_("%(label)s was removed from your usual trips.") % {"label": trip.label},
                         quick_reply=again_buttons())]


def step_forget_no(conversation, subscriber, value) -> list[dict]:
    end(conversation)
    return [text_message(_("The usual trip stays."), quick_reply=again_buttons())]


def step_cancel(conversation, subscriber, value) -> list[dict]:
    booking = selectors_line.line_booking(subscriber.pk, int(value))
    move(conversation, "cancel", booking=booking.pk)
    return [text_message("\n".join([_("Cancel this ride?"), *booking_lines(booking)]), quick_reply=quick(
        button(conversation, _("Cancel the ride"), "cancel_yes", str(booking.pk)),
        button(conversation, _("Keep it"), "keep")))]


def _asked_about(conversation, key: str, value) -> int:
    """The id a confirming button names, when it is the one the conversation asked about under `key` (ValueError
    otherwise: the tap changes nothing)."""
    if int(value) != conversation.data.get(key):
        raise ValueError(f"another {key} than the one asked about")
    return int(value)


def booking_asked_about(conversation, subscriber, value) -> Booking:
    """The booking a step's button names, when it is the one the conversation is about and the friend's own; the
    conversation ends (ValueError or Booking.DoesNotExist otherwise: the tap changes nothing)."""
    booking = selectors_line.line_booking(subscriber.pk, _asked_about(conversation, "booking", value))
    end(conversation)
    return booking


def step_cancel_yes(conversation, subscriber, value) -> list[dict]:
    booking = booking_asked_about(conversation, subscriber, value)
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


def step_keep(conversation, subscriber, value) -> list[dict]:
    end(conversation)
    return [text_message(_("The ride stays booked."), quick_reply=quick(
        postback(_("My bookings"), "action=rides_mine"), postback(_("Book a ride"), "action=ride")))]


def step_unlink(conversation, subscriber, value) -> list[dict]:
    with transaction.atomic():
        actions_line.unlink_line_rider(subscriber_id=subscriber.pk)
        end(conversation)
    return [text_message(_("LINE is no longer linked to your rides: no reminders come here. Your booked rides "
                           "stay booked; the phone desk will call you. To book through LINE again, send "
                           "\"Booking\"."))]


STEPS = {"cancel": step_cancel, "cancel_yes": step_cancel_yes, "keep": step_keep, "unlink": step_unlink,
         "forget": step_forget, "forget_pick": step_forget_pick, "forget_yes": step_forget_yes,
         "forget_no": step_forget_no}
