"""The state of a shared-ride booking in LINE (toki/linebot/rides_chat.py) and the buttons that carry it.

One `RideConversation` per friend, 30 minutes: every button carries the token of the answer it belongs to
(`ride=<kind>&t=<token>&v=<value>`), and a tap is taken only when its token is the current one and its kind is what
the step expects (`_claim`, one conditional UPDATE: of two copies of a tap, or two workers, exactly one goes on).
A location message carries no token: it is claimed with the token current when it arrives.

Call inside `translation.override(subscriber.language)` (handlers.py does).
"""

import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from toki.linebot.models import RideConversation
from toki.linebot.replies import label, postback, quick, text_message
from toki.notify.models import Subscriber

LIFETIME = timedelta(minutes=30)
QUICK_MAX = 13  # LINE's limit of quick-reply items
PAGE = 9  # list items per answer: + previous, next, one extra (time picker, location, …) and "stop" stay within 13

# What each step takes: the postback kinds, and "location" for a location message (text steps take a text).
EXPECTS = {
    "area": {"area", "page"},
    "consent": {"consent"},
    "name": set(),
    "phone": set(),
    "usual": {"usual", "other", "page"},
    "from": {"from", "home", "page", "location"},
    "to": {"to", "home", "page", "location"},
    "mode": {"mode"},
    "date": {"date"},
    "time": {"time", "page"},
    "pax": {"pax"},
    "wc": {"wc"},
    "confirm": {"book", "change"},
    "refused": {"alt", "retime"},
    "booked": {"save_usual", "save_home"},
    "mine": {"cancel", "unlink", "forget"},
    "cancel": {"cancel_yes", "keep"},
    "forget": {"forget_pick", "page"},
    "forget_confirm": {"forget_yes", "forget_no"},
}
TEXT_STEPS = ("name", "phone")
PLACE_STEPS = ("from", "to")  # the steps a location message answers (door-to-door areas)


def new_token() -> str:
    return secrets.token_urlsafe(12)


def begin(subscriber: Subscriber, step: str, data: dict | None = None) -> RideConversation:
    """A new conversation for the friend (replacing any other); expired ones of everybody are deleted."""
    now = timezone.now()
    RideConversation.objects.filter(expires_at__lt=now).delete()
    conversation, _created = RideConversation.objects.update_or_create(
        subscriber=subscriber, defaults={"step": step, "token": new_token(), "data": data or {},
                                         "expires_at": now + LIFETIME})
    return conversation


def current(subscriber: Subscriber) -> RideConversation | None:
    return RideConversation.objects.filter(subscriber=subscriber, expires_at__gt=timezone.now()).first()


def claim(subscriber: Subscriber, token: str, kind: str) -> RideConversation | None:
    """The friend's conversation if `token` is its current token and `kind` what its step takes; it gets a new token
    (one conditional UPDATE: of two copies of a tap, or two workers, exactly one goes on)."""
    conversation = current(subscriber)
    if conversation is None or not token or not secrets.compare_digest(conversation.token, token):
        return None
    if kind not in EXPECTS.get(conversation.step, set()) and kind != "quit":
        return None
    fresh = new_token()
    if not RideConversation.objects.filter(pk=conversation.pk, token=token).update(
            token=fresh, expires_at=timezone.now() + LIFETIME):
        return None
    conversation.token = fresh
    return conversation


def move(conversation: RideConversation, step: str, **data) -> None:
    """Go to `step`, keeping the choices so far with `data` added (a value of None removes that choice)."""
    merged = {**conversation.data, **data}
    conversation.step = step
    conversation.data = {key: value for key, value in merged.items() if value is not None}
    RideConversation.objects.filter(pk=conversation.pk).update(step=step, data=conversation.data)


def end(conversation: RideConversation) -> None:
    RideConversation.objects.filter(pk=conversation.pk).delete()


def drop(subscriber: Subscriber) -> None:
    RideConversation.objects.filter(subscriber=subscriber).delete()


def awaits_text(subscriber: Subscriber) -> bool:
    conversation = current(subscriber)
    return conversation is not None and conversation.step in TEXT_STEPS


# --- Buttons --------------------------------------------------------------------------------------------------


def button(conversation: RideConversation, text: str, kind: str, value: str = "") -> dict:
    data = {"ride": kind, "t": conversation.token}
    if value:
        data["v"] = value
    return postback(text, urlencode(data))


def location_button() -> dict:
    """LINE's location action: the phone opens a map where the rider picks a place (or their own position) and
    sends it as a location message."""
    return {"type": "location", "label": label(_("Send a place"))}


def stop(conversation: RideConversation) -> dict:
    return button(conversation, _("Stop"), "quit")


def paged(conversation: RideConversation, items: list[dict], page: int, *, extra: tuple[dict, ...] = ()) -> dict:
    """A quick reply with one page of `items`, previous/next when there are more, `extra` and "stop" (≤ 13)."""
    pages = max(1, -(-len(items) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = items[page * PAGE:(page + 1) * PAGE]
    if page > 0:
        shown.append(button(conversation, "◀ " + _("Back"), "page", str(page - 1)))
    if page < pages - 1:
        shown.append(button(conversation, _("More") + " ▶", "page", str(page + 1)))
    shown += [*extra, stop(conversation)]
    assert len(shown) <= QUICK_MAX
    return quick(*shown)


def again_buttons() -> dict:
    return quick(postback(_("Book a ride"), "action=ride"), postback(_("My bookings"), "action=rides_mine"))


def stale_messages() -> list[dict]:
    return [text_message(
        _("This button cannot be used any more (an old button, or more than 30 minutes passed). Nothing was booked "
          "or changed. Send \"Booking\" to start again."), quick_reply=again_buttons())]


def stopped_messages() -> list[dict]:
    return [text_message(_("Stopped. Nothing was booked."), quick_reply=again_buttons())]
