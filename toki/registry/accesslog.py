"""Writing the access log: one row per person shown (who, whom, which fields, why, on what legal basis).

A district list logs hundreds of people per look. `bulk_create` prepared every field of every row through the
ORM's generic path, which cost as much as decrypting the people (docs/benchmarks.md, issue 16 part 2); here the
shared values are prepared once and the rows go in with one `executemany`, in the caller's transaction.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from toki.registry.bulk import db_datetime, insert_many
from toki.registry.models import AccessLog

COLUMNS = ("at", "actor_id", "person_id", "action", "fields", "purpose", "basis", "recipient_class")


@dataclass(frozen=True)
class Look:
    """One person shown: the fields shown and the grant that allowed it."""

    person_id: int | None
    fields: tuple[str, ...]
    basis: str
    recipient_class: str = ""


def record(actor, looks: Iterable[Look], *, action: str, purpose: str) -> int:
    """Append one access-log row per look; returns how many."""
    if action not in AccessLog.Action.values:
        raise ValueError(f"unknown access-log action {action!r}")
    now = db_datetime(timezone.now())
    fields_json: dict[tuple[str, ...], str] = {}
    rows = []
    for look in looks:
        if look.basis not in AccessLog.Basis.values:
            raise ValueError(f"unknown legal basis {look.basis!r}")
        encoded = fields_json.get(look.fields)
        if encoded is None:
            encoded = fields_json[look.fields] = json.dumps(sorted(look.fields))
        rows.append((now, actor.pk, look.person_id, action, encoded, purpose, look.basis, look.recipient_class))
    with transaction.atomic():
        insert_many(AccessLog, COLUMNS, rows)
    return len(rows)
