"""What `notify_sweep` does, every few seconds (idempotent; two sweeps at once are harmless):

1. batches `sending` whose lease expired (their worker died: SIGKILL, OOM, power; the lease is short because a
   live worker renews it) and batches `planned` whose next attempt is due, not enqueued within
   NOTIFY_REQUEUE_SECONDS (their task was lost with Redis, or its worker died before starting them): enqueue
   `send_batches` again. The claim decides who sends;
   the batch's fixed retry key makes a repeat of a request LINE already accepted a 409, not a second message;
2. notifications whose planning lease ran out with batches not ready (the planner died half-way): write the rest
   and send it. (An alert whose planning never started, its task lost with its worker, is redelivered to notify's
   subscriber by `events_sweep`, ADR 0007: the catch-up that was here.)
"""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from toki.lib.tasks import enqueue_or_report
from toki.notify.actions.planning import fill_batches
from toki.notify.actions.sending import forget_enqueue
from toki.notify.models import DeliveryBatch, DeliveryState, Notification


def _due_batches(now):
    requeue = timedelta(seconds=settings.NOTIFY_REQUEUE_SECONDS)
    stuck = Q(state=DeliveryState.SENDING, lease_until__lt=now)
    due = Q(state=DeliveryState.PLANNED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    # A planned batch's task may still be queued: it is enqueued again only when not enqueued for a few seconds
    # (NOTIFY_REQUEUE_SECONDS), and at once when its enqueue failed (no time). A repeat finds it claimed.
    not_just_enqueued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue)
    return DeliveryBatch.objects.filter((stuck | due) & not_just_enqueued, ready=True)


def requeue_batches(*, now=None) -> int:
    """Enqueue every stuck or due batch once, a few batches per task (sent concurrently, as planning enqueues
    them); returns how many batches. When the queue is unreachable the round stops, and the batches not enqueued
    are due again at the next one."""
    from toki.notify.tasks import send_batches

    now = now or timezone.now()
    taken = []
    for pk in _due_batches(now).order_by("pk").values_list("pk", flat=True):
        # The conditional UPDATE makes a concurrent sweep enqueue each batch once.
        if _due_batches(now).filter(pk=pk).update(enqueued_at=now):
            taken.append(pk)
    per_task = max(1, settings.NOTIFY_SEND_THREADS * 2)
    for start in range(0, len(taken), per_task):
        if not enqueue_or_report(send_batches, taken[start:start + per_task],
                                 on_failure=partial(forget_enqueue, taken[start:])):
            return start
    return len(taken)


def resume_planning(*, now=None) -> int:
    """Finish the planning of notifications whose planner died half-way (its lease ran out with batches not
    ready): their remaining Delivery rows are written and those batches enqueued. Returns how many."""
    now = now or timezone.now()
    count = 0
    for pk in Notification.objects.filter(planning_until__lt=now).order_by("pk").values_list("pk", flat=True):
        fill_batches(pk)
        count += 1
    return count


def sweep(*, now=None) -> dict:
    return {"planned": resume_planning(now=now), "requeued": requeue_batches(now=now)}
