"""An Alert as notify's channel-neutral Announcement (issue 15 deliverable 2, ADR 0008): what residents are told,
in every language, from the alerts renderer; to whom (the alert's category and districts; drills and tests only
to the test audience). Run by alerts' own subscriber of "alerts.alert_published" (toki/alerts/subscribers.py).

Not announced: alerts older than notify's DELIVERY_WINDOW (3 hours) when their turn comes (a back-fill of the
long JMA feeds after downtime must not push yesterday's warnings to every phone; they stay on the portal) and
warning telegrams that change nothing for the municipality (継続 only).
"""

import logging

from django.urls import reverse

from toki.alerts.models import Alert
from toki.alerts.rendering import render
from toki.lib.site_links import site_link
from toki.notify.actions.planning import announce
from toki.notify.announcements import Announcement, Category, Content, Kind, is_fresh, languages
from toki.notify.models import Notification

logger = logging.getLogger(__name__)

CATEGORY_OF_ALERT: dict[str, str] = {
    Alert.Category.EVACUATION: Category.EVACUATION_ORDERS,
    Alert.Category.WEATHER: Category.WARNINGS,
    Alert.Category.LANDSLIDE: Category.WARNINGS,
    Alert.Category.RIVER: Category.WARNINGS,
    Alert.Category.RAIN: Category.WARNINGS,
    Alert.Category.VOLCANO: Category.WARNINGS,
    Alert.Category.EARTHQUAKE: Category.QUAKE_TSUNAMI,
    Alert.Category.TSUNAMI: Category.QUAKE_TSUNAMI,
    Alert.Category.FIRE: Category.NOTICES,
    Alert.Category.OTHER: Category.NOTICES,
}
KIND_OF_MSG_TYPE: dict[str, str] = {Alert.MsgType.ALERT: Kind.NEW, Alert.MsgType.UPDATE: Kind.UPDATE,
                    Alert.MsgType.CANCEL: Kind.CANCEL}


def dedupe_key(alert: Alert) -> str:
    return f"alert:{alert.pk}"


def category_of_alert(alert_category: str) -> str:
    """The delivery category (what subscribers choose) of an Alert category."""
    return CATEGORY_OF_ALERT.get(alert_category, Category.NOTICES)


def category_for(alert: Alert) -> str:
    return category_of_alert(alert.category)


def district_codes_for(alert: Alert) -> list[str]:
    """The districts the alert names; [] means the whole municipality."""
    facts = alert.facts or {}
    if facts.get("source") == "city":
        return sorted(d["code"] for d in (facts.get("evacuation") or {}).get("districts", []))
    if facts.get("source") == "cap":
        return sorted(facts.get("district_codes") or [])
    return []  # JMA: the municipality's own area (佐渡市 is one JMA area)


def skip_reason(alert: Alert, *, now=None) -> str:
    """Why `alert` is not sent to anyone ("" when it is)."""
    if not is_fresh(alert.sent_at, now=now):
        return "older than the delivery window"
    warnings = (alert.facts or {}).get("warnings")
    if alert.msg_type == Alert.MsgType.ALERT and warnings and not any(w.get("changed") for w in warnings):
        return "no change for the municipality (継続)"  # a warning telegram that only repeats what is in force
    return ""


def content_for(alert: Alert, language: str) -> Content:
    """The alert in `language` from the alerts renderer; an update says so, a cancellation says what it
    withdraws, a drill or test is marked as a drill."""
    is_drill = alert.status != Alert.Status.ACTUAL
    url = site_link(reverse("portal:warnings"), language)
    try:
        rendered = render(alert.facts, language, msg_type=alert.msg_type, is_drill=is_drill)
    except ValueError:
        # Alerts without renderer facts (imported CAP): their own Japanese texts.
        marker = "【訓練】" if is_drill else ""
        title = marker + alert.title
        body = "\n\n".join(part for part in (title, alert.headline) if part)
        return Content(language=language, title=title, short=title[:100], body=body, url=url)
    return Content(language=language, title=rendered.title, short=rendered.short, body=rendered.body, url=url)


def announcement_for(alert: Alert) -> Announcement:
    return Announcement(
        municipality_id=alert.municipality_id, dedupe_key=dedupe_key(alert), category=category_for(alert),
        title=alert.title, texts={language: content_for(alert, language) for language in languages()},
        district_codes=tuple(district_codes_for(alert)), kind=KIND_OF_MSG_TYPE[alert.msg_type],
        is_drill=alert.status == Alert.Status.EXERCISE, is_test=alert.status == Alert.Status.TEST,
        extra={"alert": alert.pk},
    )


def announce_alert(alert_id: int) -> Notification | None:
    """Tell residents of one Alert version (idempotent: one Notification per alert). None when it is not sent
    (see `skip_reason`): nothing is written. One planned already is handed over again: notify returns it (and
    resumes it if its planner died)."""
    alert = Alert.objects.get(pk=alert_id)
    if not Notification.objects.filter(source_key=dedupe_key(alert)).exists():
        reason = skip_reason(alert)
        if reason:
            logger.info("alert %s not delivered: %s", alert.pk, reason)
            return None
    return announce(announcement_for(alert))
