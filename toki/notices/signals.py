"""Hooks for apps that present notices elsewhere (the portal's static 軽量版 publisher, LINE, the household
tablets). Notices never import those apps (ADR 0005); they connect here instead.

`public_notices_changed` is sent after the transaction that changed what the public sees has committed
(publish, withdraw, or an edit of a published notice), with `municipality_id` and `notice_id`. A receiver
should only enqueue a task (toki.lib.tasks) and return; an exception in a receiver is logged, not raised.
"""

import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

public_notices_changed = Signal()


def _send(municipality_id: int, notice_id: int) -> None:
    for receiver, result in public_notices_changed.send_robust(sender=None, municipality_id=municipality_id,
                                                               notice_id=notice_id):
        if isinstance(result, Exception):
            logger.error("notices: receiver %r failed", receiver, exc_info=result)


def send_on_commit(notice) -> None:
    transaction.on_commit(partial(_send, notice.municipality_id, notice.pk))
