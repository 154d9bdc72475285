"""Enqueueing background work the one way Toki allows: after the surrounding transaction commits.

A task enqueued inside a transaction that later rolls back must never run (it would act on data that does
not exist), and one enqueued before commit could run before its data is visible to the worker. So actions
register their side effects here and the engine behind `django.tasks` sees them only after COMMIT.
"""

from functools import partial

from django.db import transaction


def enqueue_on_commit(task, *args, using: str | None = None, **kwargs) -> None:
    """Enqueue `task` with JSON-serialisable arguments once the current transaction commits.

    Outside a transaction (autocommit) Django runs the callback at once, which is also what we want.
    """
    transaction.on_commit(partial(task.enqueue, *args, **kwargs), using=using, robust=False)
