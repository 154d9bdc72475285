"""Background work of the portal: republishing the static 軽量版 (docs/static-site.md).

Every public change (an alert applied, a city evacuation order issued or lifted, a shelter import, lifelines,
notices, the disaster-mode switch) calls `republish_static_site_on_commit()` inside its transaction. After the
commit it enqueues `publish_static_site` with the commit time; the task publishes unless the current snapshot
already started reading after that time (toki.portal.static_site.publish explains the debouncing).

This module imports only Django and toki.lib at load time, so the apps' actions can import it without a cycle.
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


def _enqueue_after_commit() -> None:
    # The change time is taken here, after COMMIT, not when the hook was registered: a publish that started
    # between the two would otherwise count as having seen a change it could not see.
    try:
        publish_static_site.enqueue(changed_at=timezone.now().isoformat())
    except Exception:
        # The change itself is committed; the periodic `publish_static` (TOKI_PERIODIC_JOBS) catches up.
        logger.exception("static site: could not enqueue a republish")


def republish_static_site_on_commit(using: str | None = None) -> None:
    """Ask for a republish of the 軽量版 once the current transaction commits (never if it rolls back).

    Like toki.lib.tasks.enqueue_on_commit, but the task's argument is computed at commit time (see above) and a
    failure to enqueue is logged rather than raised into the action that already committed."""
    transaction.on_commit(_enqueue_after_commit, using=using)


def republish_on_signal(sender=None, **kwargs) -> None:
    """Receiver for toki.lifelines.signals.lifelines_changed and toki.notices.signals.public_notices_changed
    (both sent after commit, so this enqueues at once)."""
    republish_static_site_on_commit()
