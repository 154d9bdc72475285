"""What `notify_sweep` does, every few seconds (idempotent; two sweeps at once are harmless):

1. batches `sending` whose lease expired (their worker died: SIGKILL, OOM, power) and batches `planned` whose
   next attempt is due, not enqueued within a lease: enqueue `send_batch` again. The claim decides who sends;
   the batch's fixed retry key makes a repeat of a request LINE already accepted a 409, not a second message;
2. notifications whose planning lease ran out with batches not ready (the planner died half-way): write the rest
   and send it. (An alert whose planning never started, its task lost with its worker, is redelivered to notify's
   subscriber by `events_sweep`, ADR 0007: the catch-up that was here.)
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from toki.notify.actions.planning import fill_batches
from toki.notify.models import DeliveryBatch, DeliveryState, Notification


def _due_batches(now):
    lease = timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    stuck = Q(state=DeliveryState.SENDING, lease_until__lt=now)
    due = Q(state=DeliveryState.PLANNED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    not_just_enqueued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - lease)
    return DeliveryBatch.objects.filter((stuck | due) & not_just_enqueued, ready=True)


def requeue_batches(*, now=None) -> int:
    """Enqueue every stuck or due batch once; returns how many."""
    from toki.notify.tasks import send_batch

    now = now or timezone.now()
    count = 0
    for pk in _due_batches(now).order_by("pk").values_list("pk", flat=True):
        # The conditional UPDATE makes a concurrent sweep enqueue each batch once.
        if _due_batches(now).filter(pk=pk).update(enqueued_at=now):
            send_batch.enqueue(pk)
            count += 1
    return count


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
