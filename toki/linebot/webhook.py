"""Checking a LINE webhook request before anything is stored: size, signature, then the JSON envelope.

The signature is HMAC-SHA256 of the raw body bytes, exactly as received, keyed with the channel secret and
base64-encoded (`X-Line-Signature`); it is checked before the body is parsed. The envelope is checked against what
`data/line-openapi/webhook.yml` requires of every event (type, timestamp, mode, webhookEventId, deliveryContext);
the content of each event type is left to the handlers, which tolerate what they do not know.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from toki.lib import bounded

MAX_BODY_BYTES = 1_000_000  # LINE sends a handful of events per request; 1 MB is far above any real delivery
MAX_EVENT_ID_LENGTH = 64  # LineWebhookEvent.event_id; LINE's ids are 26-character ULIDs


class WebhookRejected(Exception):
    """The request is refused with 400 and this reason (the reason names no user data)."""


def signature_for(body: bytes, channel_secret: str) -> str:
    """`X-Line-Signature` of `body`: base64(HMAC-SHA256(channel secret, raw body))."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_is_valid(body: bytes, signature: str, channel_secret: str) -> bool:
    """Constant-time comparison of the header with the signature computed over the raw body."""
    if not signature or not channel_secret:
        return False
    return hmac.compare_digest(signature_for(body, channel_secret).encode("ascii"),
                               signature.strip().encode("ascii", "replace"))


@dataclass(frozen=True)
class EnvelopeEvent:
    event_id: str
    event_type: str
    is_redelivery: bool
    body: dict


def parse_events(body: bytes) -> list[EnvelopeEvent]:
    """The events of a signed webhook body; raises WebhookRejected naming the first problem."""
    try:
        payload = bounded.loads(body.decode("utf-8"))
    except bounded.TooDeep as error:
        raise WebhookRejected(f"the body is not a LINE webhook: {error}") from None
    except UnicodeDecodeError:
        raise WebhookRejected("the body is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise WebhookRejected(f"the body is not JSON: {error.msg} at line {error.lineno} column {error.colno}") \
            from None
    if not isinstance(payload, dict):
        raise WebhookRejected("the body must be a JSON object")
    if not isinstance(payload.get("destination"), str):
        raise WebhookRejected("'destination' is missing or not a string")
    events = payload.get("events")
    if not isinstance(events, list):
        raise WebhookRejected("'events' is missing or not an array")
    parsed, seen = [], set()
    for index, event in enumerate(events):
        where = f"events[{index}]"
        if not isinstance(event, dict):
            raise WebhookRejected(f"{where} is not an object")
        event_type, event_id = event.get("type"), event.get("webhookEventId")
        if not isinstance(event_type, str) or not event_type:
            raise WebhookRejected(f"{where}.type is missing or not a string")
        if not isinstance(event_id, str) or not event_id or len(event_id) > MAX_EVENT_ID_LENGTH:
            raise WebhookRejected(f"{where}.webhookEventId is missing, not a string or longer than "
                                  f"{MAX_EVENT_ID_LENGTH} characters")
        if not isinstance(event.get("timestamp"), int) or isinstance(event.get("timestamp"), bool):
            raise WebhookRejected(f"{where}.timestamp is missing or not an integer")
        if event.get("mode") not in ("active", "standby"):
            raise WebhookRejected(f"{where}.mode must be 'active' or 'standby'")
        context = event.get("deliveryContext")
        if not isinstance(context, dict) or not isinstance(context.get("isRedelivery"), bool):
            raise WebhookRejected(f"{where}.deliveryContext.isRedelivery is missing or not a boolean")
        if "source" in event and not (isinstance(event["source"], dict) and isinstance(event["source"].get("type"),
                                                                                        str)):
            raise WebhookRejected(f"{where}.source must be an object with a type")
        if event_id in seen:  # the same event twice in one request: keep the first
            continue
        seen.add(event_id)
        parsed.append(EnvelopeEvent(event_id, event_type[:40], context["isRedelivery"], event))
    return parsed
