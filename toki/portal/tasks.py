"""Background work of the portal: republishing the static 軽量版 (docs/static-site.md).

Every public change of another app (an alert applied, a city evacuation order issued or lifted, a shelter import
or opening change, lifelines, notices) is a domain event the portal subscribes to (toki/portal/subscribers.py,
ADR 0007); the portal's own disaster-mode switch calls `republish_static_site_on_commit()` inside its transaction.
Either way `publish_static_site` is enqueued after the commit with a time taken after it; the task publishes
unless the current snapshot already started reading after that time (toki.portal.static_site.publish explains
the debouncing).
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from toki.lib.tasks import task

logger = logging.getLogger(__name__)


@task()
def publish_static_site(changed_at: str | None = None) -> dict:
    """Publish a snapshot unless the current one already has the change of `changed_at` (ISO 8601)."""
    from toki.portal.static_site.build import build_snapshot
    from toki.portal.static_site.publish import publish

    result = publish(build_snapshot, changed_at=parse_datetime(changed_at) if changed_at else None)
    return {"published": result.published, "files": result.files, "bytes": result.bytes, "seconds": result.seconds,
            "skipped": result.skipped_reason}


def request_republish() -> None:
    """Enqueue a republish now (after the change committed: a subscriber, or the hook below). The change time is
    taken here, after COMMIT, not when the change was made: a publish that started between the two would
    otherwise count as having seen a change it could not see."""
    publish_static_site.enqueue(changed_at=timezone.now().isoformat())


def _enqueue_after_commit() -> None:
    try:
        request_republish()
    except Exception:
        # The change itself is committed; the periodic `publish_static` (TOKI_PERIODIC_JOBS) catches up.
        logger.exception("static site: could not enqueue a republish")


def republish_static_site_on_commit(using: str | None = None) -> None:
    """Ask for a republish of the 軽量版 once the current transaction commits (never if it rolls back); for the
    portal's own actions. Like toki.lib.tasks.enqueue_on_commit, but the task's argument is computed at commit
    time (see above) and a failure to enqueue is logged rather than raised into the action that committed."""
    transaction.on_commit(_enqueue_after_commit, using=using)
