"""Sending one batch (docs/notify.md): claim it, send it with its fixed retry key, record the outcome.

Claim: one conditional UPDATE (planned and due, or sending with an expired lease → sending, attempts + 1, a new
lease). It is atomic on SQLite and PostgreSQL alike: of two workers, one updates the row and the other finds it
no longer matching. The attempt number the claim wrote is the fencing token: a worker whose lease expired (it
was slow, or presumed dead) can still record an acceptance, which is true whoever sent it, but not a retry or a
death, which belong to the newer attempt.

Outcomes: accepted (200, or 409: LINE accepted this key before) → accepted; retry (429, 5xx, connection) →
planned again with exponential backoff (or the channel's Retry-After), dead after NOTIFY_MAX_ATTEMPTS or when
the retry key would be older than LINE keeps it; failed (other 4xx) → failed at once.
"""

import logging
import queue
import random
import threading
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from toki.accounts import audit
from toki.lib.tasks import heartbeat
from toki.notify.channels import Outcome, SendResult, transport_for
from toki.notify.models import Delivery, DeliveryBatch, DeliveryState, Subscriber

logger = logging.getLogger(__name__)

# LINE keeps a retry key 24 hours; a batch whose first attempt is older than this is dead, not re-sent.
RETRY_KEY_WINDOW = timedelta(hours=23)
ACTIVE = (DeliveryState.PLANNED, DeliveryState.SENDING)


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Delay before attempt `attempt + 1`: the channel's Retry-After when it gave one, else base × 2^(n-1),
    capped, with ±20% jitter so that batches refused together do not come back together."""
    if retry_after is not None:
        return min(float(retry_after), float(settings.NOTIFY_RETRY_MAX_SECONDS))
    delay = min(settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1), settings.NOTIFY_RETRY_MAX_SECONDS)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


def claim(batch_id: int, *, now=None) -> DeliveryBatch | None:
    """Take the batch for one attempt, or None when it is not due, taken, or finished."""
    now = now or timezone.now()
    due = (Q(state=DeliveryState.PLANNED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))) | Q(
        state=DeliveryState.SENDING, lease_until__lt=now)
    claimed = DeliveryBatch.objects.filter(due, pk=batch_id, ready=True).update(
        state=DeliveryState.SENDING, attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS),
        first_attempt_at=Coalesce("first_attempt_at", now),
    )
    if not claimed:
        return None
    # The batch's Delivery rows stay `planned` while it is sent: they change once, with the outcome (one UPDATE of
    # up to 500 rows per batch, not two); the batch row says it is being sent.
    return DeliveryBatch.objects.get(pk=batch_id)


class Held:
    """The batches this worker has claimed and not yet recorded, each with the attempt it claimed: a heartbeat
    renews their leases (`renew`) while the process lives, so NOTIFY_LEASE_SECONDS can be a few seconds. A worker
    killed mid-request stops renewing and its batches are due again a lease later; batches it never started were
    never claimed (still `planned`), and the sweep enqueues them again after NOTIFY_REQUEUE_SECONDS."""

    def __init__(self):
        self._claims: dict[int, int] = {}
        self._lock = threading.Lock()

    def add(self, batch: DeliveryBatch) -> None:
        with self._lock:
            self._claims[batch.pk] = batch.attempts

    def discard(self, batch_id: int) -> None:
        with self._lock:
            self._claims.pop(batch_id, None)

    def renew(self) -> int:
        with self._lock:
            claims = list(self._claims.items())
        if not claims:
            return 0
        mine = Q()
        for pk, attempts in claims:
            mine |= Q(pk=pk, attempts=attempts)
        until = timezone.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
        return DeliveryBatch.objects.filter(mine, state=DeliveryState.SENDING).update(lease_until=until)


def holding():
    """A Held set and the heartbeat that renews it, for one task's run."""
    held = Held()
    return held, heartbeat(settings.NOTIFY_LEASE_SECONDS / 3, held.renew)


def send_batch(batch_id: int, held: Held | None = None) -> str:
    """One attempt at one batch; returns what happened (for logs and tests). Safe to run any number of times."""
    if held is None:
        held, beating = holding()
        with beating:
            return send_batch(batch_id, held)
    batch = DeliveryBatch.objects.filter(pk=batch_id).only("channel").first()
    if batch is None:
        return "missing"
    transport = transport_for(batch.channel)
    if not transport.is_configured():
        return "channel not configured"  # stays planned; sent once a token is set (notify_sweep)
    batch = claim(batch_id)
    if batch is None:
        return "not due"
    held.add(batch)
    try:
        return _send_claimed(batch, transport)
    finally:
        held.discard(batch.pk)


def _send_claimed(batch: DeliveryBatch, transport) -> str:
    if batch.subscriber_ids:
        rows = list(Subscriber.objects.filter(pk__in=batch.subscriber_ids).order_by("pk").values_list("pk", "address"))
    else:  # planned before batches carried their recipients
        rows = list(Delivery.objects.filter(batch=batch).order_by("subscriber_id")
                    .values_list("subscriber_id", "subscriber__address"))
    result = transport.send([address for _pk, address in rows], batch.messages, retry_key=str(batch.retry_key))
    return record(batch, result, ids={address: pk for pk, address in rows})


def _settle_each(batch: DeliveryBatch, result: SendResult, ids: dict[str, int], now) -> None:
    """The addresses the channel settled on their own (SendResult.accepted/failed/gone): their Delivery rows take
    their own state, gone subscribers are deactivated, and the batch keeps only the others as its recipients, so a
    retry does not send again to those accepted (nothing twice)."""
    from toki.notify.actions.subscriptions import addresses_gone

    accepted = [ids[a] for a in result.accepted if a in ids]
    failed = [ids[a] for a in result.failed if a in ids]
    gone = [ids[a] for a in result.gone if a in ids]
    with transaction.atomic():
        active = Delivery.objects.filter(batch=batch, state__in=ACTIVE)
        if accepted:
            active.filter(subscriber_id__in=accepted).update(state=DeliveryState.ACCEPTED, attempts=batch.attempts,
                                                             last_error="", updated_at=now)
        if failed or gone:
            active.filter(subscriber_id__in=failed).update(state=DeliveryState.FAILED, attempts=batch.attempts,
                                                           last_error=result.error[:300], updated_at=now)
            active.filter(subscriber_id__in=gone).update(state=DeliveryState.FAILED, attempts=batch.attempts,
                                                         last_error="gone: the address no longer exists",
                                                         updated_at=now)
        settled = {*accepted, *failed, *gone}
        if batch.subscriber_ids and result.outcome == Outcome.RETRY:
            remaining = [pk for pk in batch.subscriber_ids if pk not in settled]
            # Only while the attempt is still this one (the fencing token, see `claim`): a newer attempt narrows
            # the list itself, from the list it sent to.
            if _mine(batch).update(subscriber_ids=remaining):
                batch.subscriber_ids = remaining
        addresses_gone(subscriber_ids=gone, channel=batch.channel)


def send_batches(batch_ids: list[int]) -> dict[str, int]:
    """Send several batches at once from one worker: up to NOTIFY_SEND_THREADS requests in flight (each thread
    has its own database connection, closed when it is done). Each batch goes through `send_batch` (claim, send,
    record): the guarantees are per batch, whoever sends it. Returns outcome → count."""
    held, beating = holding()
    with beating:
        return _send_all(batch_ids, held)


def _send_all(batch_ids: list[int], held: Held) -> dict[str, int]:
    threads = max(1, min(settings.NOTIFY_SEND_THREADS, len(batch_ids)))
    if threads == 1:
        outcomes = [send_batch(pk, held) for pk in batch_ids]
    else:
        pending = queue.SimpleQueue()
        for pk in batch_ids:
            pending.put(pk)
        outcomes = []

        def work():
            try:
                while True:
                    try:
                        pk = pending.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        outcomes.append(send_batch(pk, held))
                    except Exception:
                        # The batch stays claimed until its lease runs out; notify_sweep enqueues it again.
                        logger.exception("batch %s: sending raised", pk)
                        outcomes.append("error")
            finally:
                connections.close_all()  # this thread's connections only

        pool = [threading.Thread(target=work, name=f"notify-send-{n}", daemon=True) for n in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    return dict(Counter(outcomes))


def record(batch: DeliveryBatch, result: SendResult, *, now=None, ids: dict[str, int] | None = None) -> str:
    """Record one attempt's outcome. `ids` (address → subscriber id) lets the addresses a channel settled on their
    own (Web Push: one request each) take their own state first."""
    now = now or timezone.now()
    if result.accepted or result.failed or result.gone:
        _settle_each(batch, result, ids or {}, now)
    common = {"response_status": result.status, "body_sha256": result.body_sha256 or batch.body_sha256,
              "body_size": result.body_size or batch.body_size}
    if result.outcome == Outcome.ACCEPTED:
        return _finish(batch, DeliveryState.ACCEPTED, now, request_id=result.request_id[:100],
                       last_error=result.error if result.status == 409 else "", any_attempt=True, **common)
    if result.outcome == Outcome.FAILED:
        logger.warning("batch %s failed: %s", batch.pk, result.error)
        return _finish(batch, DeliveryState.FAILED, now, last_error=result.error, **common)
    if batch.attempts >= settings.NOTIFY_MAX_ATTEMPTS or now - batch.first_attempt_at > RETRY_KEY_WINDOW:
        logger.error("batch %s dead after %s attempts: %s", batch.pk, batch.attempts, result.error)
        return _finish(batch, DeliveryState.DEAD, now, last_error=result.error, **common)
    return _schedule_retry(batch, result, now, common)


def _mine(batch: DeliveryBatch, *, any_attempt: bool = False):
    rows = DeliveryBatch.objects.filter(pk=batch.pk)
    if any_attempt:
        return rows.filter(state__in=ACTIVE)
    return rows.filter(state=DeliveryState.SENDING, attempts=batch.attempts)


def _finish(batch, state, now, *, any_attempt=False, **fields) -> str:
    with transaction.atomic():
        if not _mine(batch, any_attempt=any_attempt).update(state=state, finished_at=now, lease_until=None,
                                                            next_attempt_at=None, **fields):
            return "superseded"
        Delivery.objects.filter(batch=batch, state__in=ACTIVE).update(
            state=state, attempts=batch.attempts, last_error=fields.get("last_error", "")[:300], updated_at=now)
    return state


def _schedule_retry(batch, result: SendResult, now, common) -> str:
    from toki.notify.tasks import send_batch as send_batch_task

    at = now + timedelta(seconds=backoff_seconds(batch.attempts, result.retry_after))
    with transaction.atomic():
        if not _mine(batch).update(state=DeliveryState.PLANNED, next_attempt_at=at, lease_until=None,
                                   enqueued_at=now, last_error=result.error, **common):
            return "superseded"
        Delivery.objects.filter(batch=batch, state__in=ACTIVE).update(
            state=DeliveryState.PLANNED, attempts=batch.attempts, last_error=result.error[:300], updated_at=now)
    logger.info("batch %s: attempt %s refused (%s), retry at %s", batch.pk, batch.attempts, result.error,
                at.isoformat())
    task = send_batch_task
    if task.get_backend().supports_defer:
        task = task.using(run_after=at)
    task.enqueue(batch.pk)  # notify_sweep re-enqueues it too if this is lost
    return "retry"


def forget_enqueue(batch_ids: list[int]) -> None:
    """Their send task could not be enqueued (the queue is unreachable): no enqueue time, so the next sweep
    enqueues them at once instead of waiting NOTIFY_REQUEUE_SECONDS."""
    DeliveryBatch.objects.filter(pk__in=batch_ids, state__in=ACTIVE).update(enqueued_at=None)


def retry_batch(*, acting_user, batch: DeliveryBatch) -> bool:
    """Staff: send a dead or failed batch again, with the same retry key (LINE still answers 409 if it had
    accepted it). Refused when the key is older than LINE keeps it."""
    from toki.lib.tasks import enqueue_on_commit
    from toki.notify.tasks import send_batch as send_batch_task

    now = timezone.now()
    if batch.first_attempt_at and now - batch.first_attempt_at > RETRY_KEY_WINDOW:
        return False
    with transaction.atomic():
        if not DeliveryBatch.objects.filter(pk=batch.pk, state__in=(DeliveryState.DEAD, DeliveryState.FAILED)).update(
                state=DeliveryState.PLANNED, attempts=0, next_attempt_at=None, finished_at=None, enqueued_at=now):
            return False
        Delivery.objects.filter(batch=batch).exclude(state=DeliveryState.ACCEPTED).update(
            state=DeliveryState.PLANNED, updated_at=now)
        audit.record(actor=acting_user, action="notify.retry_batch", obj=batch,
                     changes={"previous_state": batch.state, "attempts": batch.attempts})
        enqueue_on_commit(send_batch_task, batch.pk)
    return True
