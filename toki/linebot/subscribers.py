"""What the LINE conversation does when other apps change (toki.events, ADR 0007): the default rich menu follows
the site's disaster mode. Runs in its own task after the portal's commit; making the right menu the default
again is harmless, so a redelivery is too."""

from toki.events.registry import subscriber


@subscriber("portal.disaster_mode_changed", app="linebot")
def follow_disaster_mode(event) -> None:
    from toki.linebot.richmenu_sync import apply_default_menu

    apply_default_menu(event.municipality_id)  # the menu that matches the mode now, whatever the event said
