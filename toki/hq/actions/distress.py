"""Recording possible calls for help (救助要請の可能性) from a chat channel, and forgetting them after the retention
period (docs/privacy.md). linebot calls `record_distress_message` when a message reads like a call for help while
disaster mode is on or an order is in force; HQ sees them on the live board."""

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.hq.models.distress import DISTRESS_RETENTION, DISTRESS_TEXT_MAX, DistressMessage


def sender_ref(channel: str, address: str) -> str:
    """A keyed hash of the sender (HMAC-SHA256 with the site's secret key): messages of one person can be grouped,
    the id cannot be read back nor matched without the key."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"distress:{channel}:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def record_distress_message(*, municipality, channel: str, address: str, text: str, received_at=None
                            ) -> DistressMessage:
    """Store the message for HQ's board (text, time, channel, pseudonymous sender), with an AuditEvent that names
    neither the sender nor the text."""
    text = str(text or "").strip()[:DISTRESS_TEXT_MAX]
    with transaction.atomic():
        message = DistressMessage.objects.create(municipality=municipality, channel=channel[:20], text=text,
                                                 sender_ref=sender_ref(channel, address),
                                                 received_at=received_at or timezone.now())
        audit.record(actor=None, action="hq.distress_message_received", obj=message, changes={"channel": channel})
    return message


def purge_distress_messages(*, now=None) -> int:
    """Delete the messages older than the retention period; returns how many."""
    cutoff = (now or timezone.now()) - DISTRESS_RETENTION
    with transaction.atomic():
        deleted, _ = DistressMessage.objects.filter(received_at__lt=cutoff).delete()
        if deleted:
            audit.record(actor=None, action="hq.purge_distress_messages", changes={"deleted": deleted})
    return deleted
