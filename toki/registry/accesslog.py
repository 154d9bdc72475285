"""Writing and checking the access log: one row per person shown (who, whom, which fields, why, on what legal
basis), chained by hashes so that a row changed, removed or inserted in the database is evident.

A district list logs hundreds of people per look. `bulk_create` prepared every field of every row through the
ORM's generic path, which cost as much as decrypting the people (docs/benchmarks.md, issue 16 part 2); here the
shared values are prepared once and the rows go in with one `executemany`, in the caller's transaction.

The chain: each row's `entry_hash` is an HMAC-SHA256, under the index key (domain "accesslog"), of the previous
row's hash and the row's content; `AccessLogHead` holds the end of the chain and is locked by each writer, so
the chain follows the row ids. The database already refuses UPDATE and DELETE (migration 0002); the chain also
shows what someone with the database's owner rights did (`verify()`, `manage.py registry_verify_access_log`).
"""

import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from toki.registry import crypto
from toki.registry.bulk import db_datetime, insert_many
from toki.registry.models import AccessLog, AccessLogCheckpoint, AccessLogHead

COLUMNS = ("at", "actor_id", "person_id", "action", "fields", "purpose", "basis", "recipient_class", "prev_hash",
           "entry_hash")
VERIFY_BATCH = 5000


@dataclass(frozen=True)
class Look:
    """One person shown: the fields shown and the grant that allowed it."""

    person_id: int | None
    fields: tuple[str, ...]
    basis: str
    recipient_class: str = ""


def entry_hash(prev: str, at, actor_id, person_id, action: str, fields: list, purpose: str, basis: str,
               recipient_class: str) -> str:
    content = json.dumps([prev, at.isoformat(), actor_id, person_id, action, list(fields), purpose, basis,
                          recipient_class], ensure_ascii=False, separators=(",", ":"))
    return crypto.keyed_hash("accesslog", content)


def record(actor, looks: Iterable[Look], *, action: str, purpose: str) -> int:
    """Append one access-log row per look, chained; returns how many."""
    if action not in AccessLog.Action.values:
        raise ValueError(f"unknown access-log action {action!r}")
    looks = list(looks)
    for look in looks:
        if look.basis not in AccessLog.Basis.values:
            raise ValueError(f"unknown legal basis {look.basis!r}")
    if not looks:
        return 0
    now = timezone.now()
    stamp = db_datetime(now)
    fields_json: dict[tuple[str, ...], tuple[list, str]] = {}
    with transaction.atomic():
        head, _ = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        prev, rows = head.last_hash, []
        for look in looks:
            fields = fields_json.get(look.fields)
            if fields is None:
                ordered = sorted(look.fields)
                fields = fields_json[look.fields] = (ordered, json.dumps(ordered))
            digest = entry_hash(prev, now, actor.pk, look.person_id, action, fields[0], purpose, look.basis,
                                look.recipient_class)
            rows.append((stamp, actor.pk, look.person_id, action, fields[1], purpose, look.basis,
                         look.recipient_class, prev, digest))
            prev = digest
        insert_many(AccessLog, COLUMNS, rows)
        head.last_hash, head.entries = prev, head.entries + len(rows)
        head.save(update_fields=["last_hash", "entries"])
    return len(rows)


def checkpoint_signature(checkpoint: AccessLogCheckpoint) -> str:
    """The keyed signature of a checkpoint: what was pruned (last row id and hash, count, time range)."""
    content = json.dumps([checkpoint.last_id, checkpoint.last_hash, checkpoint.pruned,
                          checkpoint.first_at.isoformat() if checkpoint.first_at else "",
                          checkpoint.last_at.isoformat() if checkpoint.last_at else "",
                          checkpoint.created_at.isoformat()], separators=(",", ":"))
    return crypto.keyed_hash("accesslog-checkpoint", content)


@dataclass
class Verification:
    checkpoint: AccessLogCheckpoint | None = None  # where the remaining chain starts (older rows pruned)
    checked: int = 0
    unchained: int = 0  # rows from before the chain existed
    broken_at: int | None = None  # the id of the first row whose hash does not follow
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _latest_checkpoint(result: Verification) -> AccessLogCheckpoint | None:
    """The newest checkpoint, once every checkpoint's signature holds (a forged one would let rows be deleted)."""
    for checkpoint in AccessLogCheckpoint.objects.order_by("-last_id"):
        if not hmac.compare_digest(checkpoint_signature(checkpoint), checkpoint.signature):
            result.broken_at = checkpoint.last_id
            result.reason = f"checkpoint {checkpoint.pk} is not signed by Toki (forged or changed?)"
            return None
        if result.checkpoint is None:
            result.checkpoint = checkpoint
    return result.checkpoint


def verify(through_id: int | None = None) -> Verification:
    """Recompute the chain over every row (through `through_id` if given), by id, from the latest checkpoint when
    older rows were pruned. Reports the first row that does not follow: its content was changed, a row before it
    was removed, or it was inserted outside `record`."""
    result = Verification()
    checkpoint = _latest_checkpoint(result)
    if result.broken_at is not None:
        return result
    prev, last_id = (checkpoint.last_hash or None, checkpoint.last_id) if checkpoint else (None, 0)
    head = AccessLogHead.objects.filter(pk=1).first() if through_id is None else None
    rows = AccessLog.objects.all() if through_id is None else AccessLog.objects.filter(pk__lte=through_id)
    while True:
        batch = list(rows.filter(pk__gt=last_id).order_by("pk").values_list(
            "pk", "at", "actor_id", "person_id", "action", "fields", "purpose", "basis", "recipient_class",
            "prev_hash", "entry_hash")[:VERIFY_BATCH])
        if not batch:
            break
        for pk, at, actor_id, person_id, action, fields, purpose, basis, klass, prev_hash, digest in batch:
            last_id = pk
            if not digest and prev is None:
                result.unchained += 1
                continue
            if prev is not None and prev_hash != prev:
                result.broken_at, result.reason = pk, "does not follow the previous row (one removed or inserted?)"
                return result
            expected = entry_hash(prev_hash, at, actor_id, person_id, action, fields, purpose, basis, klass)
            if not hmac.compare_digest(expected, digest):
                result.broken_at, result.reason = pk, "its content does not match its hash (changed?)"
                return result
            prev = digest
            result.checked += 1
    if head is not None and (prev or "") != head.last_hash:
        result.broken_at, result.reason = last_id, "the chain does not end where the head says (rows removed?)"
    return result
