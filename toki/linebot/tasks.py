"""Background work of the LINE webhook and rich menus. Tasks take ids only (DESIGN.md rules 6 and 12)."""

import logging
import traceback

import urllib3
from django.utils import timezone

from toki.lib.tasks import task
from toki.linebot.models import LineWebhookEvent
from toki.notify.line import client

logger = logging.getLogger(__name__)


@task
def process_line_webhook_event(event_pk: int) -> None:
    """Handle one stored webhook event once: claim it, make its changes, reply, then forget its body.

    The claim is an atomic UPDATE of processed_at, so two workers given the same event (or a task run twice)
    cannot both handle it; replies are not idempotent (a reply token works once), so at most once is right."""
    now = timezone.now()
    if not LineWebhookEvent.objects.filter(pk=event_pk, processed_at=None).update(processed_at=now):
        return
    event = LineWebhookEvent.objects.get(pk=event_pk)
    error = ""
    try:
        error = handle_and_reply(event.body)
    except Exception as exc:  # recorded on the row (type only) and logged; the other events go on
        error = f"handler failed: {type(exc).__name__}"
        # Where it failed, but not the exception's message or a traceback: either could quote a user id or text.
        where = " < ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
                           for frame in reversed(traceback.extract_tb(exc.__traceback__)[-4:]))
        logger.error("LINE webhook: handling a %s event failed: %s at %s", event.event_type, type(exc).__name__, where)
    # The body can hold a user's text, location or id: it is not kept once handled.
    LineWebhookEvent.objects.filter(pk=event_pk).update(body={}, error=error[:500])


def handle_and_reply(body: dict) -> str:
    """Run the event's handler and send its reply; returns an error text or "". The handler's changes are
    actions, each in its own transaction: no transaction stays open while LINE is called."""
    from toki.areas.selectors import default_municipality
    from toki.linebot.handlers import handle_event

    messages, _language = handle_event(body, default_municipality())
    token = body.get("replyToken")
    if not messages or not isinstance(token, str) or not token:
        return ""
    if body.get("mode") != "active":  # standby: another channel answers this chat (reference line.md §2.3)
        return ""
    return send_reply(token, messages)


def send_reply(reply_token: str, messages: list[dict]) -> str:
    from linebot.v3.messaging import ApiException, ReplyMessageRequest

    if not client.is_configured():
        logger.warning("LINE webhook: no LINE_CHANNEL_ACCESS_TOKEN, reply not sent")
        return "not configured"
    request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": messages[:5]})
    try:
        with client.messaging_api() as api:
            api.reply_message(request, _request_timeout=client.request_timeout())
    except ApiException as exc:  # an expired reply token (a late redelivery) is the usual cause
        logger.warning("LINE webhook: reply refused with HTTP %s", exc.status)
        return f"reply refused: HTTP {exc.status}"
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        logger.warning("LINE webhook: reply failed: %s", type(exc).__name__)
        return f"reply failed: {type(exc).__name__}"
    return ""
