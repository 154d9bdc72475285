"""Enqueueing background work the one way Toki allows: after the surrounding transaction commits.

A task enqueued inside a transaction that later rolls back must never run (it would act on data that does
not exist), and one enqueued before commit could run before its data is visible to the worker. So actions
register their side effects here and the engine behind `django.tasks` sees them only after COMMIT.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from django.db import connections, transaction
from django.tasks.base import DEFAULT_TASK_PRIORITY, DEFAULT_TASK_QUEUE_NAME, Task

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, using: str | None = None, robust: bool = False,
                      on_failure: Callable[[], None] | None = None, **kwargs) -> None:
    """Enqueue `task` with JSON-serialisable arguments once the current transaction commits.

    Outside a transaction (autocommit) Django runs the callback at once, which is also what we want. `robust`:
    a failure to enqueue is logged rather than raised (for work a sweep redelivers, toki.events). `on_failure`
    (implies robust): called when the queue refused the task, e.g. to tell the sweep to redeliver it at once
    rather than after its grace (issue 22: Redis down must not make the work a minute late).
    """
    if on_failure is not None:
        transaction.on_commit(partial(enqueue_or_report, task, *args, on_failure=on_failure, **kwargs),
                              using=using, robust=True)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs), using=using, robust=robust)


def enqueue_or_report(task, *args, on_failure: Callable[[], None], **kwargs) -> bool:
    """Enqueue now; when the queue is unreachable (Redis down or restarting) log it, call `on_failure` and
    answer False instead of raising: the caller's work is committed and a sweep owns the retry."""
    try:
        task.enqueue(*args, **kwargs)
    except Exception as error:
        logger.warning("queue unreachable, %s%s left to its sweep (%s: %s)", task.name, args,
                       type(error).__name__, error)
        on_failure()
        return False
    return True


@contextmanager
def heartbeat(every: float, beat: Callable[[], object]) -> Iterator[None]:
    """Call `beat` every `every` seconds in a thread while the block runs (a lease kept alive while the work is
    alive, so that leases can be short: a worker killed with SIGKILL stops beating and its lease runs out in
    seconds, not a minute). The thread uses its own database connections and closes them when it stops.

    Inside a transaction it does nothing: another connection cannot see (and on PostgreSQL would wait for) the
    rows the caller has not committed. Workers never call it inside one; tests (a TestCase's transaction) do."""
    if transaction.get_connection().in_atomic_block:
        yield
        return
    stop = threading.Event()

    def run():
        try:
            while not stop.wait(every):
                try:
                    beat()
                except Exception:
                    logger.warning("heartbeat failed", exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name="toki-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def task(function=None, *, priority: int = DEFAULT_TASK_PRIORITY, queue_name: str = DEFAULT_TASK_QUEUE_NAME):
    """`django.tasks.task`, but always Django's own Task class, whichever backend TOKI_TASKS selects.

    django.tasks' decorator takes the configured backend's class, which for django-tasks-rq is the django-tasks
    backport's. Both backends accept Django's own class (django-tasks-rq lists it among its task classes), so
    with it one task object works on either, and tests can run it on the database backend in an RQ run.
    """

    def wrap(func):
        return Task(func=func, priority=priority, queue_name=queue_name, backend="default", takes_context=False)

    return wrap(function) if function is not None else wrap
