"""Publishing an event, delivering it to one subscriber, and the sweep that redelivers after a crash (ADR 0007).

    publish(name, municipality_id=…, **ids)   # inside the action's transaction: one INSERT
    deliver(event_id, subscriber_key)         # the task, one per (event, subscriber), enqueued on commit
    sweep()                                   # events_sweep: redeliver what a crash or a failure left undone

Delivery claims the (event, subscriber) record for a lease, runs the subscriber, then marks it done: a repeat
(the sweep's, or a task run twice) finds it done or claimed and does nothing. A worker that dies while running a
subscriber leaves the claim to expire; the sweep then redelivers, so subscribers must be idempotent.
"""

import json
import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from toki.events import registry
from toki.events.models import Delivery, Event
from toki.lib.tasks import enqueue_on_commit, enqueue_or_report, heartbeat

logger = logging.getLogger(__name__)
_TABLE = '"events_event"'


def _lease() -> timedelta:
    return timedelta(seconds=settings.TOKI_EVENTS_LEASE_SECONDS)


def _requeue_grace() -> timedelta:
    return timedelta(seconds=settings.TOKI_EVENTS_REQUEUE_SECONDS)


def publish(name: str, *, municipality_id: int, **ids) -> Event:
    """Write the event in the current transaction and deliver it to each subscriber after COMMIT (never after a
    rollback). Only ids: `ids` must be exactly the keys `name` was declared with."""
    if not connection.in_atomic_block:
        raise RuntimeError(f"publish({name!r}) outside a transaction: publish inside the action's atomic block")
    registry.event_type(name).check(ids)
    subscribers = registry.subscribers_of(name)
    ids = {key: list(value) if isinstance(value, tuple) else value for key, value in ids.items()}
    now = timezone.now()
    event = Event(name=name, municipality_id=municipality_id, ids=ids, created_at=now,
                  done_at=None if subscribers else now)
    event.pk = _insert(event)
    from toki.events.tasks import deliver_event

    for sub in subscribers:
        # A queue that is down is logged, never raised into the committed action (Redis down must not turn a
        # committed change into a 500); the delivery is marked so that the next sweep redelivers it at once.
        enqueue_on_commit(deliver_event, event.pk, sub.key, on_failure=partial(_not_enqueued, event.pk, sub.key))
    return event


def _not_enqueued(event_id: int, key: str) -> None:
    """The delivery task could not be enqueued: a Delivery row with no attempt and no enqueue time is what the
    sweep redelivers without waiting for its grace."""
    Delivery.objects.get_or_create(event_id=event_id, subscriber=key)
    Delivery.objects.filter(event_id=event_id, subscriber=key, attempts=0).update(enqueued_at=None)


def _insert(event: Event) -> int:
    """One INSERT … RETURNING id, without the ORM's per-save machinery (a third of publish()'s time)."""
    adapt = connection.ops.adapt_datetimefield_value
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = (f"INSERT INTO {_TABLE} (name, municipality_id, ids, created_at, done_at) "  # noqa: S608
           f"VALUES (%s, %s, %s{cast}, %s, %s) RETURNING id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.name, event.municipality_id, json.dumps(event.ids), adapt(event.created_at),
                             adapt(event.done_at)])
        return cursor.fetchone()[0]


def _claim(event_id: int, key: str) -> bool:
    now = timezone.now()
    with transaction.atomic():
        delivery, _ = Delivery.objects.select_for_update().get_or_create(event_id=event_id, subscriber=key)
        if delivery.done_at is not None or (delivery.claimed_until is not None and delivery.claimed_until > now):
            return False
        delivery.claimed_until = now + _lease()
        delivery.attempts += 1
        delivery.save(update_fields=["claimed_until", "attempts"])
    return True


def deliver(event_id: int, key: str) -> str:
    """Run subscriber `key` for event `event_id` unless it already ran (or is running). Returns what happened."""
    event = Event.objects.filter(pk=event_id).first()
    sub = registry.subscriber_named(event.name, key) if event is not None else None
    if event is None or sub is None:
        logger.warning("events: no delivery of event %s to %s (event or subscriber unknown)", event_id, key)
        return "unknown"
    if not _claim(event_id, key):
        return "skipped"
    try:
        # The claim is renewed while the subscriber runs: a short lease that a killed worker lets run out in
        # seconds, and a slow subscriber (planning 50,000 recipients) keeps.
        with heartbeat(settings.TOKI_EVENTS_LEASE_SECONDS / 3, partial(_renew, event_id, key)):
            sub.handler(event)
    except Exception as error:
        Delivery.objects.filter(event_id=event_id, subscriber=key).update(
            claimed_until=None, last_error=type(error).__name__[:200])
        attempts = Delivery.objects.filter(event_id=event_id, subscriber=key).values_list("attempts", flat=True)
        if attempts and attempts[0] >= settings.TOKI_EVENTS_MAX_ATTEMPTS:
            logger.error("events: %s gives up on event %s (%s) after %s attempts", key, event_id, event.name,
                         attempts[0])
        raise
    now = timezone.now()
    Delivery.objects.filter(event_id=event_id, subscriber=key).update(done_at=now, claimed_until=None,
                                                                     last_error="")
    _mark_event_done(event, now)
    return "delivered"


def _renew(event_id: int, key: str) -> None:
    Delivery.objects.filter(event_id=event_id, subscriber=key, done_at__isnull=True).update(
        claimed_until=timezone.now() + _lease())


def _mark_event_done(event: Event, now) -> None:
    wanted = {s.key for s in registry.subscribers_of(event.name)}
    done = set(Delivery.objects.filter(event=event, done_at__isnull=False).values_list("subscriber", flat=True))
    if wanted <= done:
        Event.objects.filter(pk=event.pk, done_at__isnull=True).update(done_at=now)


def _retry_delay(delivery: Delivery, grace: timedelta) -> timedelta:
    """How long after its last redelivery a delivery is redelivered again: `grace` for one that never ran (its
    task was lost), doubling for each failed attempt (a subscriber that keeps failing is not hammered), at most
    five minutes."""
    if not delivery.last_error:
        return grace
    return min(grace * 2 ** max(0, delivery.attempts - 1), timedelta(minutes=5))


def sweep(*, now=None, grace: timedelta | None = None) -> dict:
    """Redeliver every event of the last TOKI_EVENTS_REDELIVER_HOURS that is not done and older than `grace`
    (TOKI_EVENTS_REQUEUE_SECONDS: its own delivery had time to be claimed), or whose delivery could not be
    enqueued at all (at once): each subscriber without a done delivery, not claimed now (a claim is a lease its
    worker renews while alive) and not redelivered within `grace` (longer after failures), is enqueued again.
    Idempotent; two sweeps at once enqueue a delivery twice at worst, and the second run finds it done. When the
    queue is unreachable the round stops and the delivery stays due. Also deletes done events older than
    TOKI_EVENTS_KEEP_DAYS."""
    from toki.events.tasks import deliver_event

    now = now or timezone.now()
    grace = _requeue_grace() if grace is None else grace
    window_start = now - timedelta(hours=settings.TOKI_EVENTS_REDELIVER_HOURS)
    never_enqueued = Q(deliveries__attempts=0, deliveries__enqueued_at__isnull=True,
                       deliveries__done_at__isnull=True)
    events = (Event.objects.filter(Q(created_at__lte=now - grace) | never_enqueued, done_at__isnull=True,
                                   created_at__gte=window_start).distinct().order_by("pk"))
    redelivered = 0
    for event in events.iterator():
        subs = registry.subscribers_of(event.name)
        if not subs:
            Event.objects.filter(pk=event.pk).update(done_at=now)
            continue
        for sub in subs:
            delivery, _ = Delivery.objects.get_or_create(event=event, subscriber=sub.key)
            if delivery.attempts >= settings.TOKI_EVENTS_MAX_ATTEMPTS:
                continue  # given up: logged when it happened; the Delivery row keeps the error's class
            quiet_since = now - _retry_delay(delivery, grace)
            due = (Q(done_at__isnull=True) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
                   & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=quiet_since)))
            # The conditional UPDATE makes a concurrent sweep enqueue each delivery once.
            if not Delivery.objects.filter(due, pk=delivery.pk).update(enqueued_at=now):
                continue
            if not enqueue_or_report(deliver_event, event.pk, sub.key,
                                     on_failure=partial(_not_enqueued, event.pk, sub.key)):
                return {"redelivered": redelivered, "pruned": 0, "queue": "unreachable"}
            redelivered += 1
        _mark_event_done(event, now)
    pruned, _ = Event.objects.filter(done_at__lt=now - timedelta(days=settings.TOKI_EVENTS_KEEP_DAYS)).delete()
    return {"redelivered": redelivered, "pruned": pruned}
