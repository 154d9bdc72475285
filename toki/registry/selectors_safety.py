"""Reads of 安否確認. Counts (no personal data) for the HQ board; the per-district live list goes through the
register's logged read (selectors._read), so every person shown is in the access log."""

from dataclasses import dataclass

from django.db.models import Count

from toki.registry.models import AccessLog, Person, Safety, SafetyRound, SafetyStatus, Step
from toki.registry.permissions import may_use_registry
from toki.registry.selectors import PersonView, _read

SHOWN_FIELDS = ("name", "name_kana", "address", "phone", "emergency_contacts", "medical_devices")


def open_round_for(municipality_id: int, *, is_drill: bool) -> SafetyRound | None:
    return SafetyRound.objects.filter(municipality_id=municipality_id, is_drill=is_drill,
                                      closed_at__isnull=True).first()


def rounds_for(user, limit: int = 50) -> list[SafetyRound]:
    if not may_use_registry(user):
        return []
    return list(SafetyRound.objects.prefetch_related("districts")[:limit])


def get_round_for(user, pk: int) -> SafetyRound | None:
    if not may_use_registry(user):
        return None
    return SafetyRound.objects.prefetch_related("districts").filter(pk=pk).first()


def safety_counts(round_: SafetyRound) -> dict:
    """{"rows": [{district, counts by status, total}], "totals": {...}, "unconfirmed_matches": n}. Two queries."""
    from toki.areas.models import District

    by_district: dict[int, dict[str, int]] = {}
    for district_id, status, n in (SafetyStatus.objects.filter(round=round_).values_list("district_id", "status")
                                   .annotate(n=Count("id")).order_by()):
        by_district.setdefault(district_id, {})[status] = n
    names = dict(District.objects.filter(pk__in=list(by_district)).values_list("pk", "name"))
    rows, totals = [], dict.fromkeys(Safety.values, 0)
    for district_id in sorted(by_district, key=lambda d: names.get(d, "")):
        counts = by_district[district_id]
        rows.append({"district_id": district_id, "name": names.get(district_id, ""),
                     "counts": [counts.get(s, 0) for s in Safety.values], "total": sum(counts.values())})
        for status, n in counts.items():
            totals[status] += n
    return {"round": round_, "statuses": [label for _, label in Safety.choices], "rows": rows,
            "totals": [totals[s] for s in Safety.values], "total": sum(totals.values())}


@dataclass
class SafetyLine:
    person: PersonView
    status: SafetyStatus

    @property
    def next_step(self) -> str:
        return self.status.next_step() if self.status.status in (Safety.UNCONFIRMED, Safety.UNREACHABLE) else ""

    @property
    def next_step_label(self) -> str:
        return str(Step(self.next_step).label) if self.next_step else ""


def safety_list(user, round_: SafetyRound, district_id: int, *, purpose: str) -> list[SafetyLine]:
    """The people of one district in this round that `user` may see now, those not yet confirmed first, each
    logged as a look (the names are personal data; the counts are not)."""
    statuses = {s.person_id: s for s in SafetyStatus.objects.filter(round=round_, district_id=district_id)}
    candidates = list(Person.objects.filter(pk__in=list(statuses)).values_list("id", "district_id"))
    views = _read(user, candidates, action=AccessLog.Action.LIST, purpose=purpose, only=SHOWN_FIELDS)
    order: dict[str, int] = {s: i for i, s in enumerate((Safety.NEEDS_RESCUE, Safety.UNREACHABLE, Safety.UNCONFIRMED))}
    lines = [SafetyLine(view, statuses[view.id]) for view in views]
    lines.sort(key=lambda line: (order.get(line.status.status, 9), -line.status.steps_tried, line.person.id))
    return lines


