"""Keeping the access log for its retention period only, and a copy of its chain's head off the box.

Pruning (`manage.py registry_prune_access_log`): the rows older than TOKI_REGISTRY_ACCESS_LOG_YEARS go, oldest
first and always a prefix of the chain. Before anything is deleted, the part to prune is verified and a signed
checkpoint is written (the last pruned row's id and hash, how many rows, their time range); the remaining chain
then verifies from the checkpoint. The database itself refuses every DELETE that no checkpoint covers (migration
0009), and every UPDATE, as before.

The off-box head (`manage.py registry_export_log_head`, TOKI_REGISTRY_LOG_HEAD_SINK): the chain's end (last row
id, its hash, the count, the time) is appended to a file on another machine's mount, or POSTed to an HTTP
endpoint, signed. Someone who rewrites the whole table (and the head row with it) cannot rewrite that copy:
`registry_verify_access_log` reads it back and checks the row it names still carries the same hash.
"""

import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.registry import conf, crypto
from toki.registry.accesslog import checkpoint_signature, verify
from toki.registry.models import AccessLog, AccessLogCheckpoint, AccessLogHead

HTTP_TIMEOUT = 10


class RetentionError(Exception):
    """Pruning or the off-box head refused, with the reason (ids and counts only)."""


def cutoff(now: datetime | None = None) -> datetime:
    """Rows before this moment are past the retention period (a year counted as 365.25 days)."""
    return (now or timezone.now()) - timedelta(days=round(365.25 * conf.access_log_years()))


@dataclass(frozen=True)
class PrunePlan:
    after_id: int  # the previous checkpoint's last row (0: none)
    last_id: int  # the last row to prune
    count: int


def plan(before: datetime) -> PrunePlan | None:
    """The prefix of the chain older than `before`: rows up to the first one at or after it."""
    previous = AccessLogCheckpoint.objects.order_by("-last_id").values_list("last_id", flat=True).first() or 0
    remaining = AccessLog.objects.filter(pk__gt=previous)
    first_kept = remaining.filter(at__gte=before).order_by("pk").values_list("pk", flat=True).first()
    old = remaining if first_kept is None else remaining.filter(pk__lt=first_kept)
    last_id = old.order_by("-pk").values_list("pk", flat=True).first()
    if last_id is None:
        return None
    return PrunePlan(previous, last_id, old.count())


def prune(before: datetime) -> AccessLogCheckpoint | None:
    """Verify the part to prune, write its signed checkpoint, then delete it (the only delete the database
    allows). Writers wait on the head's lock meanwhile, so nothing joins the chain in between."""
    with transaction.atomic():
        AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        found = plan(before)
        if found is None:
            return None
        checked = verify(through_id=found.last_id)
        if not checked.ok:
            raise RetentionError(f"nothing pruned: the chain is broken at row {checked.broken_at} "
                                 f"({checked.reason}); investigate before pruning")
        rows = AccessLog.objects.filter(pk__gt=found.after_id, pk__lte=found.last_id)
        last_hash = rows.filter(pk=found.last_id).values_list("entry_hash", flat=True).get()
        first_at = rows.order_by("pk").values_list("at", flat=True).first()
        last_at = rows.order_by("-pk").values_list("at", flat=True).first()
        checkpoint = AccessLogCheckpoint(created_at=timezone.now(), last_id=found.last_id, last_hash=last_hash,
                                         pruned=found.count, first_at=first_at, last_at=last_at)
        checkpoint.signature = checkpoint_signature(checkpoint)
        checkpoint.save()
        deleted, _ = rows.delete()
        if deleted != found.count:
            raise RetentionError(f"nothing pruned: {deleted} rows deleted, {found.count} planned")
        audit.record(actor=None, action="registry.access_log_pruned", obj=checkpoint,
                     changes={"rows": found.count, "through_row": found.last_id})
    return checkpoint


# --- the off-box head -------------------------------------------------------------------------------------


def _head_mac(sequence: int, entries: int, digest: str, at: str) -> str:
    return crypto.keyed_hash("accesslog-head", json.dumps([sequence, entries, digest, at], separators=(",", ":")))


def current_head() -> dict:
    """The chain's end as it stands: the last row's id (`sequence`) and hash, the count ever appended, now."""
    with transaction.atomic():
        head, _ = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        last = AccessLog.objects.order_by("-pk").values_list("pk", "entry_hash").first()
    if last is None:
        checkpoint = AccessLogCheckpoint.objects.order_by("-last_id").first()
        last = (checkpoint.last_id, checkpoint.last_hash) if checkpoint else (0, "")
    at = timezone.now().isoformat()
    return {"sequence": last[0], "entries": head.entries, "hash": last[1], "at": at,
            "mac": _head_mac(last[0], head.entries, last[1], at)}


def _http(sink: str) -> bool:
    return sink.startswith(("http://", "https://"))


def _headers() -> dict:
    token = conf.log_head_token()
    return {"Authorization": f"Bearer {token}"} if token else {}


def export_head() -> dict:
    """Send the current head to the sink: one JSON line appended to the file, or a POST of the JSON."""
    sink = conf.log_head_sink()
    if not sink:
        raise RetentionError("TOKI_REGISTRY_LOG_HEAD_SINK is not set: no off-box copy of the chain's head")
    head = current_head()
    if _http(sink):
        import requests

        try:
            response = requests.post(sink, json=head, headers=_headers(), timeout=HTTP_TIMEOUT)
        except requests.RequestException as error:
            raise RetentionError(f"the head sink did not answer: {type(error).__name__}") from None
        if response.status_code >= 300:
            raise RetentionError(f"the head sink answered HTTP {response.status_code}")
    else:
        try:
            with Path(sink).open("a", encoding="utf-8") as out:
                out.write(json.dumps(head, separators=(",", ":")) + "\n")
        except OSError as error:
            raise RetentionError(f"the head file cannot be written: {error.strerror}") from None
    return head


def read_offbox_head() -> dict | None:
    """The last head the sink holds (the file's last line; the endpoint's answer to GET), or None if none yet."""
    sink = conf.log_head_sink()
    if not sink:
        return None
    if _http(sink):
        import requests

        try:
            response = requests.get(sink, headers=_headers(), timeout=HTTP_TIMEOUT)
        except requests.RequestException as error:
            raise RetentionError(f"the head sink did not answer: {type(error).__name__}") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise RetentionError(f"the head sink answered HTTP {response.status_code}")
        text = response.text
    else:
        path = Path(sink)
        if not path.exists():
            return None
        lines = path.read_text(encoding="utf-8").splitlines()
        text = lines[-1] if lines else ""
    if not text.strip():
        return None
    try:
        head = json.loads(text)
        fields = (int(head["sequence"]), int(head["entries"]), str(head["hash"]), str(head["at"]))
    except (ValueError, KeyError, TypeError):
        raise RetentionError("the off-box head is not a head record (sequence, entries, hash, at, mac)") from None
    if not hmac.compare_digest(_head_mac(*fields), str(head.get("mac", ""))):
        raise RetentionError("the off-box head is not signed by Toki")
    return head


def compare_with_offbox(head: dict) -> str:
    """Empty when the database still holds the chain the off-box head saw; otherwise why not."""
    sequence, digest = int(head["sequence"]), str(head["hash"])
    checkpoint = AccessLogCheckpoint.objects.order_by("-last_id").first()
    pruned_through = checkpoint.last_id if checkpoint else 0
    if sequence and sequence < pruned_through:
        return ""  # that row was pruned; the checkpoint (verified) stands for it
    here: str | None = ""
    if checkpoint is not None and sequence and sequence == pruned_through:
        here = checkpoint.last_hash
    elif sequence:
        here = AccessLog.objects.filter(pk=sequence).values_list("entry_hash", flat=True).first()
        if here is None:
            return f"row {sequence}, the off-box head of {head['at']}, is gone (rows removed?)"
    if not hmac.compare_digest(here or "", digest):
        return f"row {sequence} no longer has the hash the off-box head of {head['at']} recorded (table rewritten?)"
    entries = AccessLogHead.objects.filter(pk=1).values_list("entries", flat=True).first() or 0
    if entries < int(head["entries"]):
        return f"the head counts {entries} entries, fewer than the {head['entries']} recorded off the box"
    return ""
