"""`lifelines_changed` is sent after the commit of every change to lifelines (a status report, an import, a new
or edited lifeline), with `municipality_id` and `lifeline_ids`.

Other apps (the portal's static 軽量版 publisher, notify) connect a receiver that enqueues their own task; this app
never imports them (ADR 0005). Receivers must be quick and must not raise: enqueue, don't work.
"""

from django.dispatch import Signal

lifelines_changed = Signal()
