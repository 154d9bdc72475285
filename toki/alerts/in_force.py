"""What is in force for the municipality, worded for people: the one place every public surface (portal pages,
the 軽量版, the tourist page, LINE replies) takes the titles of the warnings in force from."""

from toki.alerts.models import Alert
from toki.alerts.rendering.render import render
from toki.alerts.selectors import public_alerts_in_force


def title_of(alert: Alert, language: str) -> str:
    """The alert's title in `language`, as the renderer words it (the same words LINE and CAP use)."""
    return render(alert.facts, language, msg_type=alert.msg_type).title


def titles_of(alerts, language: str) -> list[str]:
    """The titles of `alerts`, once each alert, in the order given."""
    unique = {alert.pk: alert for alert in alerts}
    return [title_of(alert, language) for alert in unique.values()]


def warning_titles(municipality, language: str, *, now=None) -> list[str]:
    """The titles of the warnings in force for the municipality now, newest first, in `language`."""
    return titles_of(public_alerts_in_force(municipality, now=now), language)
