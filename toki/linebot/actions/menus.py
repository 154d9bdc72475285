"""Hooks other apps call when something changes what LINE's rich menus should show."""

from toki.lib.tasks import enqueue_on_commit


def disaster_mode_changed(*, municipality) -> None:
    """Called by toki.portal.actions.set_disaster_mode inside its transaction: after commit, a task makes the
    disaster menu the default for everyone (or the normal one again). Nothing is changed here, so no audit event
    (the portal's action records the switch)."""
    from toki.linebot.tasks import apply_default_richmenu

    enqueue_on_commit(apply_default_richmenu, municipality.pk)
