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




# --- a supporter's own list (/registry/safety/mine/) ----------------------------------------------------------

# The least a supporter needs on the doorstep or the phone: who, where, how to call. Kept on the phone for the
# round (IndexedDB) and deleted at sign-out: nothing more than this leaves the server for the offline list.
SUPPORTER_FIELDS = ("name", "address", "phone")
FIRST: dict[str, int] = {Safety.NEEDS_RESCUE: 0, Safety.UNREACHABLE: 1, Safety.UNCONFIRMED: 2}


def supporter_list(user) -> list[dict]:
    """The people assigned to `user` (SafetyAssignment) in every open round, only those `user` may see now
    (consent, ordinance or a live activation), with the minimum fields, their status and the next rung; each
    one logged as a look (`disaster_response`). 要救助 first, then rungs the escalation made due, then the rest."""
    from toki.registry.models import SafetyAssignment

    person_ids = list(SafetyAssignment.objects.filter(supporter=user).values_list("person_id", flat=True))
    statuses = list(SafetyStatus.objects.filter(person_id__in=person_ids, round__closed_at__isnull=True)
                    .select_related("round").order_by("round_id"))
    if not statuses:
        return []
    candidates = list(Person.objects.filter(pk__in={s.person_id for s in statuses},
                                            status=Person.Status.ACTIVE).values_list("id", "district_id"))
    views = {view.id: view for view in _read(user, candidates, action=AccessLog.Action.LIST,
                                             purpose="disaster_response", only=SUPPORTER_FIELDS)}
    lines = [supporter_line(status, views[status.person_id]) for status in statuses if status.person_id in views]
    lines.sort(key=lambda line: (FIRST.get(line["status"], 9), not line["due"], line["round"], line["person"]))
    return lines


def supporter_line(status: SafetyStatus, view: PersonView) -> dict:
    waiting = status.status in (Safety.UNCONFIRMED, Safety.UNREACHABLE)
    next_step = status.next_step() if waiting else ""
    return {"round": status.round_id, "person": view.id, "drill": status.round.is_drill,
            **{name: view.values.get(name, "") for name in SUPPORTER_FIELDS},
            "status": status.status, "source": status.source, "relation": status.relation,
            "next_step": next_step, "due": waiting and status.is_due(),
            "updated_at": status.updated_at.isoformat()}


def not_confirmed_for_board(user, round_: SafetyRound, *, limit: int = 100) -> dict:
    """For the HQ board: the people of the round still 要救助, 連絡不能 or 未確認 in the districts of a live
    disaster activation, that `user` may see — name, district, status and next rung only, 要救助 first; each
    person shown logged as a look (`disaster_response`). Outside an activation: nobody (the counts panel says how
    many). {"lines": [...], "more": how many more `user` may see beyond `limit`}."""
    from django.utils import timezone

    from toki.registry.selectors import _activated_districts, visible_people

    activated = _activated_districts(timezone.now())
    if not activated:
        return {"lines": [], "more": 0}
    rows = sorted(SafetyStatus.objects.filter(round=round_, district_id__in=activated, status__in=tuple(FIRST))
                  .only("id", "person_id", "district_id", "status", "steps_tried", "rung_due"),
                  key=lambda r: (FIRST[r.status], -r.rung_due, r.district_id, r.person_id))
    visible = visible_people(user, [(r.person_id, r.district_id) for r in rows])
    shown = [r for r in rows if r.person_id in visible]
    views = {view.id: view for view in _read(user, [(r.person_id, r.district_id) for r in shown[:limit]],
                                             action=AccessLog.Action.LIST, purpose="disaster_response",
                                             only=("name",))}
    from toki.areas.models import District

    districts = dict(District.objects.filter(pk__in={r.district_id for r in shown[:limit]}).values_list("pk", "name"))
    lines = [{"person": r.person_id, "district": districts.get(r.district_id, ""),
              "name": views[r.person_id].values.get("name", ""), "status": r.get_status_display(), "code": r.status,
              "next": str(Step(r.next_step()).label) if r.next_step() else ""}
             for r in shown[:limit] if r.person_id in views]
    return {"lines": lines, "more": max(0, len(shown) - limit)}
