"""Planning deliveries of an Alert (docs/notify.md): who gets it, in which language, in which batches.

    plan_alert(alert_id)   # notify's subscriber of "alerts.alert_published" (toki/notify/subscribers.py, ADR 0007)
                           # runs it in its own task after the alert's commit: idempotent and resumable
                           # (events_sweep redelivers a lost one, notify_sweep resumes a dead planner)

Targeting: active subscribers of the alert's municipality on a channel that has a transport, whose districts
include one of the alert's districts (or who chose the whole municipality; JMA alerts concern every district),
and whose categories include the alert's category. Drills (訓練) and tests go only to the test audience.
Recipients with the same rendered message share batches of at most the channel's batch size (LINE: 500), each
with its X-Line-Retry-Key fixed here. Planning the same alert twice finds its Notification (unique source key)
and creates nothing. The Delivery rows are written a few batches per transaction, each group enqueued for sending
as it commits (docs/notify.md, "Planning in steps").
"""

import json
import logging
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from toki.accounts import audit
from toki.alerts.models import Alert
from toki.alerts.rendering import render
from toki.lib.site_links import site_link
from toki.lib.tasks import enqueue_on_commit
from toki.notify.actions.sending import forget_enqueue
from toki.notify.channels import Content, registered_channels, transport_for
from toki.notify.models import Category, Channel, Delivery, DeliveryBatch, DeliveryState, Notification, Subscriber

logger = logging.getLogger(__name__)

# Alerts older than this when planned are not sent (a back-fill of the long JMA feeds after downtime must not
# push yesterday's warnings to every phone); they stay on the portal.
MAX_ALERT_AGE = timedelta(hours=3)
# Batches whose Delivery rows one planning transaction writes: the first group small (the first multicasts go out
# within a fraction of a second), then larger (fewer commits and send tasks). 8 × 500 rows take ~50 ms on SQLite.
FIRST_FILL_STEP = 2
FILL_STEP = 8
INSERT_ROWS = 1000  # Delivery rows per INSERT statement

CATEGORY_OF_ALERT = {
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
KIND_OF_MSG_TYPE = {Alert.MsgType.ALERT: Notification.Kind.NEW, Alert.MsgType.UPDATE: Notification.Kind.UPDATE,
                    Alert.MsgType.CANCEL: Notification.Kind.CANCEL}


def source_key(alert: Alert) -> str:
    return f"alert:{alert.pk}"


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
    return site_link(reverse("portal:warnings"), language)


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


def _recipients(municipality_id: int, category: str, codes: list[str], test_only: bool) -> list[tuple[int, str, str]]:
    """(pk, channel, language) of every recipient, ascending pk, in one query. The categories are read as JSON
    text and matched on the quoted value (category values are identifiers, none inside another): decoding
    50,000 JSON lists costs more than the query."""
    subscribers = Subscriber.objects.filter(municipality_id=municipality_id, is_active=True,
                                            channel__in=registered_channels())
    if test_only:
        subscribers = subscribers.filter(is_test_audience=True)
    if codes:
        chosen = Subscriber.districts.through.objects.filter(district__municipality_id=municipality_id,
                                                             district__code__in=codes).values("subscriber_id")
        subscribers = subscribers.filter(Q(all_districts=True) | Q(pk__in=chosen))
    rows = (subscribers.annotate(categories_json=Cast("categories", TextField())).order_by("pk")
            .values_list("pk", "channel", "language", "categories_json"))
    wanted = json.dumps(category)
    return [(pk, channel, language) for pk, channel, language, categories in rows if wanted in (categories or "")]


def estimate_recipients(*, municipality_id: int, district_codes: list[str], category: str,
                        test_audience_only: bool) -> dict[str, dict[str, int]]:
    """Who planning would choose now for an alert of `category` (an Alert category) for `district_codes`, by
    channel and language: the estimator notify registers with toki.lib.audience (the review step of an
    evacuation order shows it before anything is sent). Channels by the name people know them by."""
    counts: dict[str, dict[str, int]] = {str(Channel(channel).label): {} for channel in registered_channels()}
    wanted = CATEGORY_OF_ALERT.get(Alert.Category(category), Category.NOTICES)
    for _pk, channel, language in _recipients(municipality_id, wanted, sorted(district_codes), test_audience_only):
        by_language = counts.setdefault(str(Channel(channel).label), {})
        by_language[language] = by_language.get(language, 0) + 1
    return counts


def _lease():
    return timezone.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)


def plan_alert(alert_id: int) -> Notification | None:
    """Plan the deliveries of one Alert version. Idempotent: a planned alert returns its Notification (resuming
    its planning if the planner died half-way); an alert that is not sent (see `skip_reason`) returns None and
    writes nothing.

    Two steps: one short transaction decides everything (Notification, recipients, rendered messages, batches
    with their recipients and retry keys, not ready yet); then `fill_batches` writes the Delivery rows a few
    batches per transaction and enqueues each group for sending as it commits, so the first multicasts go out
    while the rest is still being written."""
    alert = Alert.objects.select_related("municipality").get(pk=alert_id)
    existing = Notification.objects.filter(source_key=source_key(alert)).first()
    if existing is not None:
        if existing.planning_until is not None and existing.planning_until < timezone.now():
            fill_batches(existing.pk)  # its planner died: carry on where it stopped
        return existing
    reason = skip_reason(alert)
    if reason:
        logger.info("alert %s not delivered: %s", alert.pk, reason)
        return None
    category = category_for(alert)
    codes = district_codes_for(alert)
    test_only = alert.status != Alert.Status.ACTUAL
    # Read (and render) before the transaction: on SQLite a transaction holds the one write lock from its start.
    groups = _groups(alert, _recipients(alert.municipality_id, category, codes, test_only))
    try:
        with transaction.atomic():
            notification = _plan(alert, category, codes, test_only, groups)
    except IntegrityError:
        # Another planner committed the same alert first (unique source key): theirs is the plan.
        return Notification.objects.get(source_key=source_key(alert))
    fill_batches(notification.pk)
    return notification


def _groups(alert: Alert, recipients) -> list[dict]:
    """Recipients by identical message: [{"channel", "language", "messages", "pks", "batch_size"}]; each
    (channel, message key) rendered once."""
    groups: dict[tuple[str, str], dict] = {}
    rendered: dict[tuple[str, str], str] = {}
    transports = {}
    for pk, channel, language in recipients:
        transport = transports.get(channel) or transports.setdefault(channel, transport_for(channel))
        key = (channel, transport.message_key(language))
        if key not in rendered:
            rendered[key] = json.dumps(transport.render(content_for(alert, language)), sort_keys=True,
                                       ensure_ascii=False)
        # Recipients whose messages are identical share batches, whatever their language setting.
        group = groups.get((channel, rendered[key]))
        if group is None:
            group = groups[channel, rendered[key]] = {"channel": channel, "language": language, "pks": [],
                                                      "messages": json.loads(rendered[key]),
                                                      "batch_size": transport.batch_size}
        group["pks"].append(pk)
    return list(groups.values())


def _plan(alert: Alert, category: str, codes: list[str], test_only: bool, groups: list[dict]) -> Notification:
    notification = Notification.objects.create(
        municipality=alert.municipality, source_key=source_key(alert), alert=alert, category=category,
        kind=KIND_OF_MSG_TYPE[alert.msg_type], is_drill=alert.status == Alert.Status.EXERCISE,
        test_audience_only=test_only, title=alert.title[:200], district_codes=codes, planning_until=_lease(),
    )
    batches = []
    for group in groups:
        channel, size, pks, messages = group["channel"], group["batch_size"], group["pks"], group["messages"]
        for start in range(0, len(pks), size):
            chunk = pks[start:start + size]
            batches.append(DeliveryBatch(notification=notification, channel=channel, language=group["language"],
                                         messages=messages, size=len(chunk), subscriber_ids=chunk,
                                         retry_key=uuid.uuid4(), ready=False))
    # Interleave the groups (languages) so that every language's first batches go out first.
    batches = _interleave(batches)
    DeliveryBatch.objects.bulk_create(batches, batch_size=100)
    notification.recipients = sum(batch.size for batch in batches)
    notification.save(update_fields=["recipients"])
    audit.record(actor=None, action="notify.planned", obj=notification, changes={
        "alert": alert.pk, "category": category, "recipients": notification.recipients, "batches": len(batches),
        "test_audience_only": test_only,
    })
    return notification


def _interleave(batches: list[DeliveryBatch]) -> list[DeliveryBatch]:
    by_group: dict[int, list[DeliveryBatch]] = {}
    for batch in batches:
        by_group.setdefault(id(batch.messages), []).append(batch)
    queues = list(by_group.values())
    out = []
    while queues:
        out.extend(queue.pop(0) for queue in queues)
        queues = [queue for queue in queues if queue]
    return out


def fill_batches(notification_id: int) -> int:
    """Write the Delivery rows of the notification's batches that are not ready, a group of batches per short
    transaction (the first group small, so that sending starts at once), mark them ready and enqueue them for
    sending when each group commits. Idempotent and resumable: rows already written are skipped (unique
    notification + subscriber), only batches this call turned ready are enqueued. Returns how many it readied."""
    done, step = 0, FIRST_FILL_STEP
    while True:
        with transaction.atomic():
            group = list(DeliveryBatch.objects.filter(notification_id=notification_id, ready=False)
                         .order_by("pk").values_list("pk", "subscriber_ids")[:step])
            if not group:
                Notification.objects.filter(pk=notification_id).update(planning_until=None)
                return done
            Notification.objects.filter(pk=notification_id).update(planning_until=_lease())
            _insert_deliveries(notification_id, group)
            pks = [pk for pk, _ in group]
            if DeliveryBatch.objects.filter(pk__in=pks, ready=False).update(ready=True,
                                                                             enqueued_at=timezone.now()):
                from toki.notify.tasks import send_batches

                # Redis down: the batches stay planned with no enqueue time, and the next sweep sends them.
                enqueue_on_commit(send_batches, pks, on_failure=partial(forget_enqueue, pks))
                done += len(pks)
        step = FILL_STEP


def _insert_deliveries(notification_id: int, group: list[tuple[int, list[int]]]) -> None:
    """INSERT … ON CONFLICT DO NOTHING of the group's Delivery rows, in few statements: the ORM's bulk_create spent
    most of its time building 50,000 model instances, and executemany costs a round trip per row on PostgreSQL.
    PostgreSQL: one statement per batch, its ids as one array parameter (unnest), so that the query text stays
    small (psycopg parses the placeholders of every query on the client). SQLite: multi-row VALUES."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = "notification_id, subscriber_id, batch_id, state, attempts, last_error, updated_at"
    planned = DeliveryState.PLANNED.value
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (f"INSERT INTO {table} ({columns}) SELECT %s, s.id, %s, %s, 0, '', %s"  # noqa: S608
                   f" FROM unnest(%s::bigint[]) AS s(id) ON CONFLICT DO NOTHING")
            for batch_id, subscriber_ids in group:
                cursor.execute(sql, [notification_id, batch_id, planned, now, list(subscriber_ids)])
            return
        rows = [(notification_id, subscriber_id, batch_id, planned, now)
                for batch_id, subscriber_ids in group for subscriber_id in subscriber_ids]
        per_statement = min(INSERT_ROWS, (connection.features.max_query_params or 999) // 5)
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            values = ", ".join(["(%s, %s, %s, %s, 0, '', %s)"] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING",  # noqa: S608
                           [value for row in chunk for value in row])
