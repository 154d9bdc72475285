"""Planning deliveries of an Alert (docs/notify.md): who gets it, in which language, in which batches.

    plan_alert_on_commit(alert)   # the alerts app calls this inside the transaction that made the Alert
    plan_alert(alert_id)          # the task: idempotent, one transaction

Targeting: active subscribers of the alert's municipality on a channel that has a transport, whose districts
include one of the alert's districts (or who chose the whole municipality; JMA alerts concern every district),
and whose categories include the alert's category. Drills (訓練) and tests go only to the test audience.
Recipients with the same rendered message share batches of at most the channel's batch size (LINE: 500), each
with its X-Line-Retry-Key fixed here. Planning the same alert twice finds its Notification (unique source key)
and creates nothing.
"""

import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from toki.accounts import audit
from toki.alerts.models import Alert
from toki.alerts.rendering import render
from toki.lib.tasks import enqueue_on_commit
from toki.notify.channels import Content, transport_for
from toki.notify.models import Category, Channel, Delivery, DeliveryBatch, Notification, Subscriber

logger = logging.getLogger(__name__)

# Channels with a transport; the others (tablet, web push) join when their transports exist.
SENDING_CHANNELS = (Channel.LINE,)
# Alerts older than this when planned are not sent (a back-fill of the long JMA feeds after downtime must not
# push yesterday's warnings to every phone); they stay on the portal.
MAX_ALERT_AGE = timedelta(hours=3)

CATEGORY_OF_ALERT = {
    Alert.Category.EVACUATION: Category.EVACUATION_ORDERS,
    Alert.Category.WEATHER: Category.WARNINGS,
    Alert.Category.LANDSLIDE: Category.WARNINGS,
    Alert.Category.RIVER: Category.WARNINGS,
    Alert.Category.RAIN: Category.WARNINGS,
    Alert.Category.VOLCANO: Category.WARNINGS,
    Alert.Category.EARTHQUAKE: Category.QUAKE_TSUNAMI,
    Alert.Category.TSUNAMI: Category.QUAKE_TSUNAMI,
    Alert.Category.OTHER: Category.NOTICES,
}
KIND_OF_MSG_TYPE = {Alert.MsgType.ALERT: Notification.Kind.NEW, Alert.MsgType.UPDATE: Notification.Kind.UPDATE,
                    Alert.MsgType.CANCEL: Notification.Kind.CANCEL}


def source_key(alert: Alert) -> str:
    return f"alert:{alert.pk}"


def plan_alert_on_commit(alert: Alert) -> None:
    """Plan the deliveries of `alert` once its transaction commits (the hook for the alerts app)."""
    from toki.notify.tasks import plan_alert_deliveries

    enqueue_on_commit(plan_alert_deliveries, alert.pk)


def category_for(alert: Alert) -> str:
    return CATEGORY_OF_ALERT.get(alert.category, Category.NOTICES)


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
    now = now or timezone.now()
    if alert.sent_at < now - MAX_ALERT_AGE:
        return "older than the delivery window"
    warnings = (alert.facts or {}).get("warnings")
    if alert.msg_type == Alert.MsgType.ALERT and warnings and not any(w.get("changed") for w in warnings):
        return "no change for the municipality (継続)"  # a warning telegram that only repeats what is in force
    return ""


def portal_url(language: str) -> str:
    page = reverse("portal:warnings")
    if language == settings.LANGUAGE_CODE:
        return settings.SITE_URL.rstrip("/") + page
    # The language switch link sets the reader's language, then shows the page.
    return settings.SITE_URL.rstrip("/") + reverse("portal:choose_language", args=[language]) + "?next=" + page


def content_for(alert: Alert, language: str) -> Content:
    """The alert in `language` from the alerts renderer; an update says so, a cancellation says what it
    withdraws, a drill or test is marked as a drill."""
    is_drill = alert.status != Alert.Status.ACTUAL
    try:
        rendered = render(alert.facts, language, msg_type=alert.msg_type, is_drill=is_drill)
    except ValueError:
        # Alerts without renderer facts (imported CAP): their own Japanese texts.
        marker = "【訓練】" if is_drill else ""
        title = marker + alert.title
        body = "\n\n".join(part for part in (title, alert.headline) if part)
        return Content(language=language, title=title, short=title[:100], body=body, url=portal_url(language))
    return Content(language=language, title=rendered.title, short=rendered.short, body=rendered.body,
                   url=portal_url(language))


def _recipients(alert: Alert, category: str, codes: list[str], test_only: bool):
    subscribers = Subscriber.objects.filter(municipality=alert.municipality, is_active=True,
                                            channel__in=SENDING_CHANNELS)
    if test_only:
        subscribers = subscribers.filter(is_test_audience=True)
    if codes:
        chosen = Subscriber.districts.through.objects.filter(district__municipality=alert.municipality,
                                                             district__code__in=codes).values("subscriber_id")
        subscribers = subscribers.filter(Q(all_districts=True) | Q(pk__in=chosen))
    rows = subscribers.order_by("pk").values_list("pk", "channel", "language", "categories")
    return [(pk, channel, language) for pk, channel, language, categories in rows if category in (categories or ())]


def plan_alert(alert_id: int) -> Notification | None:
    """Plan the deliveries of one Alert version. Idempotent: a planned alert returns its Notification; an alert
    that is not sent (see `skip_reason`) returns None and writes nothing."""
    alert = Alert.objects.select_related("municipality").get(pk=alert_id)
    existing = Notification.objects.filter(source_key=source_key(alert)).first()
    if existing is not None:
        return existing
    reason = skip_reason(alert)
    if reason:
        logger.info("alert %s not delivered: %s", alert.pk, reason)
        return None
    try:
        with transaction.atomic():
            return _plan(alert)
    except IntegrityError:
        # Another planner committed the same alert first (unique source key): theirs is the plan.
        return Notification.objects.get(source_key=source_key(alert))


def _plan(alert: Alert) -> Notification:
    category = category_for(alert)
    codes = district_codes_for(alert)
    test_only = alert.status != Alert.Status.ACTUAL
    notification = Notification.objects.create(
        municipality=alert.municipality, source_key=source_key(alert), alert=alert, category=category,
        kind=KIND_OF_MSG_TYPE[alert.msg_type], is_drill=alert.status == Alert.Status.EXERCISE,
        test_audience_only=test_only, title=alert.title[:200], district_codes=codes,
    )
    groups: dict[tuple[str, str], dict] = {}
    rendered: dict[tuple[str, str], str] = {}
    transports = {}
    for pk, channel, language in _recipients(alert, category, codes, test_only):
        transport = transports.get(channel) or transports.setdefault(channel, transport_for(channel))
        key = (channel, transport.message_key(language))
        if key not in rendered:
            rendered[key] = json.dumps(transport.render(content_for(alert, language)), sort_keys=True,
                                       ensure_ascii=False)
        # Recipients whose messages are identical share batches, whatever their language setting.
        group = groups.setdefault((channel, rendered[key]), {"language": language, "pks": []})
        group["pks"].append(pk)
    batches, members = [], []
    now = timezone.now()
    for (channel, message_json), group in groups.items():
        size, pks = transports[channel].batch_size, group["pks"]
        for start in range(0, len(pks), size):
            chunk = pks[start:start + size]
            batches.append(DeliveryBatch(notification=notification, channel=channel, language=group["language"],
                                         messages=json.loads(message_json), size=len(chunk),
                                         retry_key=uuid.uuid4(), enqueued_at=now))
            members.append(chunk)
    DeliveryBatch.objects.bulk_create(batches)
    Delivery.objects.bulk_create(
        (Delivery(notification=notification, subscriber_id=pk, batch=batch)
         for batch, chunk in zip(batches, members, strict=True) for pk in chunk),
        batch_size=2000,
    )
    notification.recipients = sum(len(chunk) for chunk in members)
    notification.save(update_fields=["recipients"])
    audit.record(actor=None, action="notify.planned", obj=notification, changes={
        "alert": alert.pk, "category": category, "recipients": notification.recipients, "batches": len(batches),
        "test_audience_only": test_only,
    })
    from toki.notify.tasks import send_batch

    for batch in batches:
        enqueue_on_commit(send_batch, batch.pk)
    return notification
