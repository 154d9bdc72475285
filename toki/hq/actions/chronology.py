"""Writing the chronology (クロノロジー). Entries are never edited: corrections are annotations.

Other apps call `record_event` (one incident known) or `record_for_active_incidents` (the municipality's active
incidents: alerts, evacuation orders, shelter openings) from their actions; see docs/hq.md."""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from toki.accounts import audit
from toki.hq.models import ChronologyAnnotation, ChronologyCategory, ChronologyEntry, Incident
from toki.hq.permissions import may_write_chronology

logger = logging.getLogger(__name__)
CONTENT_MAX = 4000
PARTY_MAX = 200


def record_event(*, incident: Incident, content: str, category: str = ChronologyCategory.OTHER,
                 at: datetime | None = None, sender: str = "", recipient: str = "", district=None,
                 source: models.Model | None = None, link: str = "", dedup_key: str = "",
                 acting_user=None) -> ChronologyEntry:
    """Append an automatic chronology entry to `incident` and return it.

    Signature (stable, for other apps):
        record_event(*, incident, content, category="other", at=None, sender="", recipient="", district=None,
                     source=None, link="", dedup_key="", acting_user=None) -> ChronologyEntry

    - `category`: a `ChronologyCategory` value ("weather", "evacuation", "shelter", "damage", "instruction",
      "hq", "lifeline", "request", "other").
    - `at`: when it happened (default now); `sender` / `recipient`: 発信者 / 受信者 (an org unit or person name).
    - `district`: an `areas.District` or None; `source`: the model instance the entry is about (stored as its
      label and pk); `link`: a staff URL to it (optional).
    - `dedup_key`: when given, a second call with the same key for the same incident returns the first entry
      instead of writing another (hooks that may run twice stay idempotent).
    - `acting_user`: who caused it (None for the system).

    Call it inside your action's transaction (it joins it). No permission check: the calling action has done
    its own. Raises ValidationError for empty content or an unknown category."""
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": "a chronology entry needs content"})
    if category not in ChronologyCategory.values:
        raise ValidationError({"category": f"unknown category {category!r}"})
    fields = {
        "at": at or timezone.now(), "sender": (sender or "")[:PARTY_MAX], "recipient": (recipient or "")[:PARTY_MAX],
        "content": content[:CONTENT_MAX], "category": category, "district": district,
        "source_type": source._meta.label_lower if source is not None else "",
        "source_id": str(source.pk) if source is not None else "", "link": link[:300], "is_automatic": True,
        "created_by": acting_user if acting_user is not None and acting_user.is_authenticated else None,
    }
    if not dedup_key:
        return ChronologyEntry.objects.create(incident=incident, **fields)
    existing = ChronologyEntry.objects.filter(incident=incident, dedup_key=dedup_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin loses the race without breaking the caller
            return ChronologyEntry.objects.create(incident=incident, dedup_key=dedup_key[:150], **fields)
    except IntegrityError:
        return ChronologyEntry.objects.get(incident=incident, dedup_key=dedup_key[:150])


def record_for_active_incidents(*, municipality, is_drill: bool, content: str, **kwargs) -> list[ChronologyEntry]:
    """Append the same entry to every active incident of `municipality` it concerns, and return the entries.

    Signature: record_for_active_incidents(*, municipality, is_drill, content, **record_event keywords).
    A drill event (`is_drill=True`) goes only to active drill incidents; a real event goes to every active
    incident (a real warning matters during a drill too). No active incident: nothing is written."""
    incidents = Incident.objects.filter(municipality=municipality, ended_at__isnull=True)
    if is_drill:
        incidents = incidents.filter(is_drill=True)
    return [record_event(incident=incident, content=content, **kwargs) for incident in incidents]


def write_entry(*, acting_user, incident: Incident, content: str, category: str = ChronologyCategory.OTHER,
                at: datetime | None = None, sender: str = "", recipient: str = "", district=None) -> ChronologyEntry:
    """A chronology entry written by hand by HQ staff. Recorded as hq.chronology_written."""
    if not may_write_chronology(acting_user):
        raise PermissionDenied("writing the chronology needs an HQ reporter role or above")
    errors = {}
    content = (content or "").strip()
    if not content:
        errors["content"] = "write what happened (内容)"
    elif len(content) > CONTENT_MAX:
        errors["content"] = f"at most {CONTENT_MAX} characters"
    if category not in ChronologyCategory.values:
        errors["category"] = f"unknown category {category!r}"
    for name, value in (("sender", sender), ("recipient", recipient)):
        if len(value or "") > PARTY_MAX:
            errors[name] = f"at most {PARTY_MAX} characters"
    if district is not None and district.municipality_id != incident.municipality_id:
        errors["district"] = "not a district of this municipality"
    now = timezone.now()
    if at is not None and at > now + timedelta(minutes=5):
        errors["at"] = "the time is in the future"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = ChronologyEntry.objects.create(
            incident=incident, at=at or now, sender=(sender or "").strip(), recipient=(recipient or "").strip(),
            content=content, category=category, district=district, created_by=acting_user)
        audit.record(actor=acting_user, action="hq.chronology_written", obj=entry,
                     changes={"incident": incident.pk, "category": category})
    return entry


def annotate_entry(*, acting_user, entry: ChronologyEntry, text: str) -> ChronologyAnnotation:
    """Add a note (correction, confirmation) to an entry; the entry itself never changes. Recorded as
    hq.chronology_annotated."""
    if not may_write_chronology(acting_user):
        raise PermissionDenied("annotating the chronology needs an HQ reporter role or above")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "write the annotation"})
    if len(text) > CONTENT_MAX:
        raise ValidationError({"text": f"at most {CONTENT_MAX} characters"})
    with transaction.atomic():
        annotation = ChronologyAnnotation.objects.create(entry=entry, text=text, created_by=acting_user)
        audit.record(actor=acting_user, action="hq.chronology_annotated", obj=entry,
                     changes={"annotation": annotation.pk})
    return annotation
