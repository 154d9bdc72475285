"""Receiving LINE webhook events: each event is stored once, keyed on its webhookEventId, and handled by a task
after commit. A redelivered event (or one LINE sends twice without saying so) finds its row and is not stored or
handled again.

No AuditEvent: receiving an event changes nothing by itself; the changes it leads to (a follow, new settings)
are audited by the actions the handlers call.
"""

from django.db import IntegrityError, transaction

from toki.lib.tasks import enqueue_on_commit
from toki.linebot.models import LineWebhookEvent

# Imported with the URLconf, not on a web process's first webhook (the task module does not load line-bot-sdk).
from toki.linebot.tasks import process_line_webhook_event
from toki.linebot.webhook import EnvelopeEvent


def record_webhook_events(events: list[EnvelopeEvent]) -> list[int]:
    """Store the events not seen before and enqueue their handling on commit; returns the new rows' ids."""
    new_ids = []
    with transaction.atomic():
        seen = set(LineWebhookEvent.objects.filter(event_id__in=[e.event_id for e in events])
                   .values_list("event_id", flat=True))
        for event in events:
            if event.event_id in seen:
                continue
            try:
                with transaction.atomic():  # a concurrent delivery of the same event may have stored it meanwhile
                    row = LineWebhookEvent.objects.create(event_id=event.event_id, event_type=event.event_type,
                                                          is_redelivery=event.is_redelivery, body=event.body)
            except IntegrityError:
                continue
            new_ids.append(row.pk)
            enqueue_on_commit(process_line_webhook_event, row.pk)
    return new_ids
