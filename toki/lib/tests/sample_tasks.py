"""Tasks used by the task-framework tests. They leave a trace the test can look for: an AuditEvent."""

from django.tasks.base import DEFAULT_TASK_PRIORITY, DEFAULT_TASK_QUEUE_NAME, Task

from toki.accounts import audit


def leave_marker(marker: str) -> str:
    audit.record(actor=None, action="test.task_ran", changes={"marker": marker})
    return marker


# Built as Django's own Task class whatever TOKI_TASKS says, because the contract tests run this one task on both
# backends in one process: django-tasks-db accepts only Django's class, django-tasks-rq accepts it too. (The
# @task decorator would pick the configured backend's class, the django-tasks backport's under TOKI_TASKS=rq.)
leave_marker = Task(  # the worker finds the task under the function's own name, so the name is reused
    func=leave_marker, priority=DEFAULT_TASK_PRIORITY, queue_name=DEFAULT_TASK_QUEUE_NAME, backend="default",
    takes_context=False,
)
