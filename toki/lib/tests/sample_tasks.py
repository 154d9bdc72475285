"""Tasks used by the task-framework tests. They leave a trace the test can look for: an AuditEvent."""

from toki.accounts import audit
from toki.lib.tasks import task


@task
def leave_marker(marker: str) -> str:
    audit.record(actor=None, action="test.task_ran", changes={"marker": marker})
    return marker
