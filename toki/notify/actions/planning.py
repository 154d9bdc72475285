"""Planning deliveries of an Announcement (docs/notify.md): who gets it, in which language, in which batches.

    announce(announcement)  # called by the producing app's own subscriber (alerts/subscribers.py, …, ADR 0008),
                            # in its own task after the producer's commit: idempotent and resumable
                            # (events_sweep redelivers a lost one, notify_sweep resumes a dead planner)

notify reads no producer's data: the Announcement (toki.notify.announcements) says what to tell in each language,
to which districts and category, whether it is a drill or test, and its dedupe key.

Targeting: active subscribers of the announcement's municipality on a channel that has a transport, whose
districts include one of its districts (or who chose the whole municipality; no districts means every district),
and whose categories include its category. Drills (訓練) and tests go only to the test audience. Recipients with
the same rendered message share batches of at most the channel's batch size (LINE: 500), each with its
X-Line-Retry-Key fixed here. Announcing the same dedupe key twice finds its Notification (unique source key) and
creates nothing. The Delivery rows are written a few batches per transaction, each group enqueued for sending as
it commits (docs/notify.md, "Planning in steps").
"""

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from toki.accounts import audit
from toki.lib.tasks import enqueue_on_commit
from toki.notify.actions.sending import forget_enqueue
from toki.notify.announcements import Announcement
from toki.notify.channels import planned_channels, registered_channels, transport_for
from toki.notify.models import Channel, Delivery, DeliveryBatch, DeliveryState, Notification, Subscriber

logger = logging.getLogger(__name__)

# Batches whose Delivery rows one planning transaction writes: the first group small (the first multicasts go out
# within a fraction of a second), then larger (fewer commits and send tasks). 8 × 500 rows take ~50 ms on SQLite.
FIRST_FILL_STEP = 2
FILL_STEP = 8
INSERT_ROWS = 1000  # Delivery rows per INSERT statement


def _personal_recipients(municipality_id: int, subscriber_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(pk, channel, language) of the named subscribers that can be reached: active, of the municipality, on a
    planned channel (a personal audience is not filtered by districts or categories)."""
    return list(Subscriber.objects.filter(municipality_id=municipality_id, is_active=True,
                                          channel__in=planned_channels(), pk__in=sorted(set(subscriber_ids)))
                .order_by("pk").values_list("pk", "channel", "language"))


def _recipients_of(announcement: Announcement) -> list[tuple[int, str, str]]:
    if announcement.is_personal:
        return _personal_recipients(announcement.municipality_id, announcement.subscriber_ids)
    return _recipients(announcement.municipality_id, announcement.category, announcement.district_codes,
                       announcement.test_audience_only)


def _recipients(municipality_id: int, category: str, codes: Sequence[str], test_only: bool
                ) -> list[tuple[int, str, str]]:
    """(pk, channel, language) of every recipient, ascending pk, in one query. The categories are read as JSON
    text and matched on the quoted value (category values are identifiers, none inside another): decoding
    50,000 JSON lists costs more than the query."""
    subscribers = Subscriber.objects.filter(municipality_id=municipality_id, is_active=True,
                                            channel__in=planned_channels())
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
    """Who planning would choose now for an announcement of `category` (a notify category) for `district_codes`,
    by channel and language: the review step of an evacuation order (toki/alerts/review.py) calls it before
    anything is sent (ADR 0008: a producer may import notify). Channels by the name people know them by."""
    counts: dict[str, dict[str, int]] = {str(Channel(channel).label): {} for channel in registered_channels()}
    for _pk, channel, language in _recipients(municipality_id, category, sorted(district_codes), test_audience_only):
        by_language = counts.setdefault(str(Channel(channel).label), {})
        by_language[language] = by_language.get(language, 0) + 1
    return counts


def _lease():
    return timezone.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)


def announce(announcement: Announcement) -> Notification | None:
    """Plan the deliveries of one Announcement. Idempotent: an announcement whose dedupe key was planned returns
    that Notification (resuming its planning if the planner died half-way).

    Two steps: one short transaction decides everything (Notification, recipients, rendered messages, batches
    with their recipients and retry keys, not ready yet); then `fill_batches` writes the Delivery rows a few
    batches per transaction and enqueues each group for sending as it commits, so the first multicasts go out
    while the rest is still being written."""
    existing = Notification.objects.filter(source_key=announcement.dedupe_key).first()
    if existing is not None:
        if existing.planning_until is not None and existing.planning_until < timezone.now():
            fill_batches(existing.pk)  # its planner died: carry on where it stopped
        return existing
    # Read (and render) before the transaction: on SQLite a transaction holds the one write lock from its start.
    groups = _groups(announcement, _recipients_of(announcement))
    try:
        with transaction.atomic():
            notification = _plan(announcement, groups)
    except IntegrityError:
        # Another planner committed the same announcement first (unique source key): theirs is the plan.
        return Notification.objects.get(source_key=announcement.dedupe_key)
    fill_batches(notification.pk)
    return notification


def _groups(announcement: Announcement, recipients) -> list[dict]:
    """Recipients by identical message: [{"channel", "language", "messages", "pks", "batch_size"}]; each
    (channel, message key) rendered once."""
    groups: dict[tuple[str, str], dict] = {}
    rendered: dict[tuple[str, str], str] = {}
    transports = {}
    for pk, channel, language in recipients:
        transport = transports.get(channel) or transports.setdefault(channel, transport_for(channel))
        key = (channel, transport.message_key(language))
        if key not in rendered:
            rendered[key] = json.dumps(transport.render(announcement.text_in(language)), sort_keys=True,
                                       ensure_ascii=False)
        # Recipients whose messages are identical share batches, whatever their language setting.
        group = groups.get((channel, rendered[key]))
        if group is None:
            group = groups[channel, rendered[key]] = {"channel": channel, "language": language, "pks": [],
                                                      "messages": json.loads(rendered[key]),
                                                      "batch_size": transport.batch_size}
        group["pks"].append(pk)
    return list(groups.values())


def _plan(announcement: Announcement, groups: list[dict]) -> Notification:
    notification = Notification.objects.create(
        municipality_id=announcement.municipality_id, source_key=announcement.dedupe_key,
        category=announcement.category, kind=announcement.kind, is_drill=announcement.is_drill,
        test_audience_only=announcement.test_audience_only, title=announcement.title[:200],
        district_codes=list(announcement.district_codes), planning_until=_lease(),
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
        **announcement.extra, "source": announcement.dedupe_key, "category": announcement.category,
        "recipients": notification.recipients, "batches": len(batches),
        "test_audience_only": announcement.test_audience_only, "personal": announcement.is_personal,
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
