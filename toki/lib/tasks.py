"""Enqueueing background work the one way Toki allows: after the surrounding transaction commits.

A task enqueued inside a transaction that later rolls back must never run (it would act on data that does
not exist), and one enqueued before commit could run before its data is visible to the worker. So actions
register their side effects here and the engine behind `django.tasks` sees them only after COMMIT.
"""

from functools import partial

from django.db import transaction
from django.tasks.base import DEFAULT_TASK_PRIORITY, DEFAULT_TASK_QUEUE_NAME, Task


def enqueue_on_commit(task, *args, using: str | None = None, robust: bool = False, **kwargs) -> None:
    """Enqueue `task` with JSON-serialisable arguments once the current transaction commits.

    Outside a transaction (autocommit) Django runs the callback at once, which is also what we want. `robust`:
    a failure to enqueue is logged rather than raised (for work a sweep redelivers, toki.events).
    """
    transaction.on_commit(partial(task.enqueue, *args, **kwargs), using=using, robust=robust)


def task(function=None, *, priority: int = DEFAULT_TASK_PRIORITY, queue_name: str = DEFAULT_TASK_QUEUE_NAME):
    """`django.tasks.task`, but always Django's own Task class, whichever backend TOKI_TASKS selects.

    django.tasks' decorator takes the configured backend's class, which for django-tasks-rq is the django-tasks
    backport's. Both backends accept Django's own class (django-tasks-rq lists it among its task classes), so
    with it one task object works on either, and tests can run it on the database backend in an RQ run.
    """

    def wrap(func):
        return Task(func=func, priority=priority, queue_name=queue_name, backend="default", takes_context=False)

    return wrap(function) if function is not None else wrap
