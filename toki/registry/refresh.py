"""The periodic refresh: diff a new file from the welfare and resident systems against the register, hold the diff
for approval, apply it (or discard it) as one act of a registry officer.

- new: a row that meets the criteria and is not on the register (or left it earlier and is back);
- changed: a known person whose values differ (only the names of the fields are shown in the list of changes);
- left: moved or died (the file's `left_reason`), entered a facility, no longer meets the criteria, or absent
  from the file.

The reviewer decides each row (approve or reject, one by one, selected or all at once) and may correct why a
person left (moved, died, entered a facility); applying writes the approved rows only, once no row is undecided.
Applying refuses a diff made before a later change of one of its people ("make a new diff"), so nothing stale is
written over a newer value.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit
from toki.registry import conf, crypto
from toki.registry.importing import excluded_by, inclusion_reasons, person_values, read_csv
from toki.registry.models import Person, Refresh, RefreshChange
from toki.registry.permissions import may_keep_register

COMPARED = ("name", "name_kana", "birth_date", "sex", "address", "phone", "support_reason", "care_level",
            "medical_devices", "emergency_contacts", "language", "disabilities", "lives_with", "inclusion_reasons")
Kind, LeftReason, Decision = RefreshChange.Kind, RefreshChange.LeftReason, RefreshChange.Decision


def _require_keeper(actor) -> None:
    if not may_keep_register(actor):
        raise PermissionDenied("only registry officers refresh the register")


def _plain(values: dict) -> dict[str, Any]:
    """Values as JSON (dates as ISO, the district as its id) for staging and comparison."""
    out = {name: values[name] for name in COMPARED}
    out["birth_date"] = values["birth_date"].isoformat() if isinstance(values["birth_date"], date) else ""
    out["district_id"] = values["district"].pk if "district" in values else values["district_id"]
    return out


def stage_refresh(*, actor, data: bytes, file_name: str, municipality, encoding: str = "utf-8") -> Refresh:
    """Check the file (all or nothing, like the import) and store its diff against the register, pending."""
    _require_keeper(actor)
    parsed = read_csv(data=data, file_name=file_name, municipality=municipality, encoding=encoding)
    criteria = conf.criteria()
    people = {row["source_index"]: row for row in Person.objects.filter(source_index__gt="").values(
        "id", "source_index", "status", "district_id", *COMPARED)}
    changes: list[RefreshChange] = []
    counts = dict.fromkeys(("new", "changed", "left", "unchanged", "not_listed"), 0)
    seen = set()
    for values in parsed:
        source = crypto.source_index(values["source_id"])
        seen.add(source)
        person = people.get(source)
        excluded = excluded_by(values, criteria)
        if person is not None and person["status"] == Person.Status.ACTIVE:
            active: dict | None = person
        else:
            active = None
        if excluded:
            if active is not None:
                changes.append(RefreshChange(kind=Kind.LEFT, person_id=active["id"], source_index=source,
                                             district_id=active["district_id"], left_reason=excluded))
            else:
                counts["not_listed"] += 1
            continue
        after = _plain(person_values(values, inclusion_reasons(values, criteria)))
        if active is None:
            changes.append(RefreshChange(kind=Kind.NEW, person_id=person["id"] if person else None,
                                         source_index=source, district_id=after["district_id"], values=after))
            continue
        before = _plain(active)
        differ = sorted(name for name in after if after[name] != before[name])
        if differ:
            changes.append(RefreshChange(kind=Kind.CHANGED, person_id=active["id"], source_index=source,
                                         district_id=after["district_id"], changed_fields=differ, values=after))
        else:
            counts["unchanged"] += 1
    for source, person in people.items():
        if source not in seen and person["status"] == Person.Status.ACTIVE:
            changes.append(RefreshChange(kind=Kind.LEFT, person_id=person["id"], source_index=source,
                                         district_id=person["district_id"], left_reason=LeftReason.ABSENT))
    for change in changes:
        counts[change.kind] += 1
    with transaction.atomic():
        refresh = Refresh.objects.create(file_name=file_name[:200], created_by=actor, created_at=timezone.now(),
                                         counts=counts)
        for change in changes:
            change.refresh = refresh
        RefreshChange.objects.bulk_create(changes, batch_size=500)
        audit.record(actor=actor, action="registry.refresh_staged", obj=refresh, changes=counts)
    return refresh


def _set(person: Person, values: dict) -> None:
    for name in COMPARED:
        setattr(person, name, values[name])
    person.birth_date = date.fromisoformat(values["birth_date"]) if values["birth_date"] else None
    person.district_id = values["district_id"]
    person.status, person.left_reason, person.left_at = Person.Status.ACTIVE, "", None
    person.refresh_indexes()


def _pending(refresh: Refresh) -> Refresh:
    refresh = Refresh.objects.select_for_update().get(pk=refresh.pk)
    if refresh.state != Refresh.State.PENDING:
        raise ValueError(_("this refresh was already decided"))
    return refresh


@transaction.atomic
def decide(*, actor, refresh: Refresh, decision: str, change_ids: list[int] | None = None,
           left_reasons: dict[int, str] | None = None) -> int:
    """Approve or reject rows of a pending diff: those of `change_ids`, or every undecided row when None. A
    left row may take the reviewer's reason (`left_reasons`: change id → reason). Returns how many rows."""
    _require_keeper(actor)
    refresh = _pending(refresh)
    if decision not in (Decision.APPROVED, Decision.REJECTED):
        raise ValueError(_("decision: approved or rejected"))
    left_reasons = left_reasons or {}
    bad = sorted(str(pk) for pk, reason in left_reasons.items() if reason not in LeftReason.values)
    if bad:
        raise ValueError(f"why the person left: not a reason for row(s) {', '.join(bad)}")
    rows = RefreshChange.objects.filter(refresh=refresh)
    rows = rows.filter(decision=Decision.UNDECIDED) if change_ids is None else rows.filter(pk__in=change_ids)
    for change in rows.filter(kind=Kind.LEFT, pk__in=list(left_reasons)).only("pk", "left_reason"):
        if left_reasons[change.pk] != change.left_reason:
            RefreshChange.objects.filter(pk=change.pk).update(left_reason=left_reasons[change.pk])
    decided = rows.update(decision=decision)
    if change_ids is not None and decided != len(set(change_ids)):
        raise ValueError(_("some rows are not part of this diff"))
    audit.record(actor=actor, action="registry.refresh_rows_decided", obj=refresh,
                 changes={"decision": decision, "rows": decided})
    return decided


@transaction.atomic
def apply_refresh(*, actor, refresh: Refresh) -> dict[str, int]:
    """Write the approved rows to the register (the rejected ones stay as they are); every row must be decided."""
    _require_keeper(actor)
    refresh = _pending(refresh)
    undecided = RefreshChange.objects.filter(refresh=refresh, decision=Decision.UNDECIDED).count()
    if undecided:
        raise ValueError(f"{undecided} row(s) are not decided yet: approve or reject them first")
    changes = list(RefreshChange.objects.filter(refresh=refresh, decision=Decision.APPROVED))
    touched = [c.person_id for c in changes if c.person_id]
    if Person.objects.filter(pk__in=touched, updated_at__gt=refresh.created_at).exists():
        raise ValueError(_("the register changed after this diff was made: make a new diff"))
    people = Person.objects.in_bulk(touched)
    now = timezone.now()
    for change in changes:
        if change.kind == Kind.LEFT:
            person = people[change.person_id]
            person.status, person.left_reason, person.left_at = Person.Status.LEFT, change.left_reason, now
            person.save(update_fields=["status", "left_reason", "left_at", "updated_at"])
            continue
        person = people[change.person_id] if change.person_id else Person(source_index=change.source_index)
        _set(person, change.values)
        person.save()
    refresh.state, refresh.decided_by, refresh.decided_at = Refresh.State.APPLIED, actor, now
    refresh.counts = {**refresh.counts, "applied": len(changes),
                      "rejected": RefreshChange.objects.filter(refresh=refresh, decision=Decision.REJECTED).count()}
    refresh.save(update_fields=["state", "decided_by", "decided_at", "counts"])
    RefreshChange.objects.filter(refresh=refresh).update(values="")  # on the register now, or rejected
    audit.record(actor=actor, action="registry.refresh_applied", obj=refresh, changes=refresh.counts)
    return refresh.counts


@transaction.atomic
def discard_refresh(*, actor, refresh: Refresh) -> Refresh:
    _require_keeper(actor)
    refresh = _pending(refresh)
    refresh.state, refresh.decided_by, refresh.decided_at = Refresh.State.DISCARDED, actor, timezone.now()
    refresh.save(update_fields=["state", "decided_by", "decided_at"])
    RefreshChange.objects.filter(refresh=refresh).update(values="")  # the staged personal values go
    audit.record(actor=actor, action="registry.refresh_discarded", obj=refresh)
    return refresh
