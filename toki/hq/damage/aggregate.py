"""The 第4号様式 aggregate computed from count rows: pure Python, no queries (selectors.py fetches the rows).

- sum items: the sum over reports of the value in each report's current version.
- peak items (lifelines): each report's value is a step function of time, set by its versions at their
  `observed_at` (a later-recorded version at the same time replaces the earlier one: a correction). The
  concurrent total at a moment is the sum over reports of their values then; the peak is the maximum of that
  total over every moment a version was observed. By district: the same over that district's reports (district
  peaks may fall at different moments, so they need not add up to the total's peak). The peaks themselves are
  computed in SQL (selectors.peak_query); here they are only placed.
- derived items: their formula over the values above, for the total and for each district.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from toki.hq.damage.definition import Definition, localized

ZERO = Decimal(0)


@dataclass(frozen=True)
class Aggregate:
    """The live (or frozen) picture of an incident's damage in the terms of one form definition.

    totals: item id → value for every item of the definition (sum, peak or derived).
    by_district: district code → {item id → value}, every district of the municipality in its order.
    district_names: district code → name.
    current: peak item id → the concurrent total now (the peak is in `totals`).
    peak_at: peak item id → when the total's peak was first reached (None when nothing was reported).
    report_count: reports of the incident; last_report_at: when the latest version was recorded.
    sources: item id → ids of the report versions the total is made of (only when asked for).
    """

    definition: Definition
    definition_code: str
    definition_version: str
    totals: dict
    by_district: dict
    district_names: dict
    current: dict
    peak_at: dict
    report_count: int
    last_report_at: datetime | None
    is_drill: bool = False
    sources: dict | None = None
    district_sources: dict | None = field(default=None, repr=False)

    def rows(self, part: int | None = None, language: str = "ja") -> list[dict]:
        """Items in form order (of one part when given) with label, unit, group, total and district values."""
        out = []
        for item in self.definition.items:
            if part is not None and part not in item.parts:
                continue
            out.append({
                "item": item, "label": item.text("label", language), "group": item.group,
                "unit": localized(self.definition.units[item.unit], language),
                "total": self.totals[item.id], "now": self.current.get(item.id),
                "districts": [self.by_district[code][item.id] for code in self.district_names],
            })
        return out


def _in_effect(rows, wanted: dict) -> dict:
    """For each scope (district code or None, item) → moment in `wanted`: ids of the versions whose non-zero
    value counted at that moment. rows: (report_id, district, item, value, observed_at, recorded_at,
    version_id) sorted by (observed_at, recorded_at, version_id). One pass per item."""
    out = {}
    by_item = defaultdict(list)
    for (district_code, item), moment in wanted.items():
        by_item[item].append((moment, district_code))
    for item, moments in by_item.items():
        moments.sort(key=lambda m: m[0])
        latest, index = {}, 0
        item_rows = [r for r in rows if r[2] == item]
        for row in [*item_rows, None]:
            while index < len(moments) and (row is None or row[4] > moments[index][0]):
                moment, district_code = moments[index]
                out[(district_code, item)] = sorted(
                    v for value, d, v in latest.values() if value > 0 and district_code in (None, d))
                index += 1
            if row is None:
                break
            latest[row[0]] = (row[3], row[1], row[6])
    return out


def _tidy(values: dict) -> dict:
    """Same numbers, one representation whatever the database returned: 40 (not 40.000), 1.25."""
    return {k: v.quantize(Decimal(1)) if v == v.to_integral_value() else v.normalize() for k, v in values.items()}


def compute(definition: Definition, *, districts: list[tuple[str, str]], sum_rows, peaks: dict,
            district_peaks: dict, report_count: int, last_report_at, code: str, version: str,
            is_drill: bool = False, current_rows=None, peak_rows=None) -> Aggregate:
    """sum_rows: (district code, item, value) of current versions, grouped or not. peaks: item → (peak, when);
    district_peaks: (district code, item) → (peak, when) (kept by totals.py).

    With `current_rows` (district code, item, value, version_id) instead of sum_rows and `peak_rows` (see
    _in_effect), the sources of every number are kept."""
    with_sources = current_rows is not None
    rows = current_rows if with_sources else sum_rows
    entered = {i.id for i in definition.items if i.aggregation != "derived"}
    peak_ids = set(definition.ids_with("peak"))
    district_names = dict(districts)
    totals = {item.id: ZERO for item in definition.items}
    by_district = {district_code: dict(totals) for district_code in district_names}
    current = dict.fromkeys(peak_ids, ZERO)
    sources = defaultdict(list) if with_sources else None
    district_sources = defaultdict(list) if with_sources else None
    for row in rows:
        district_code, item, value = row[0], row[1], row[2]
        if item not in entered or district_code not in by_district:
            continue  # an item of another definition version: not part of this form
        if item in peak_ids:
            current[item] += value
            continue
        totals[item] += value
        by_district[district_code][item] += value
        if with_sources and value:
            sources[item].append(row[3])
            district_sources[(district_code, item)].append(row[3])
    if with_sources:
        peak_rows = sorted((r for r in peak_rows if r[2] in peak_ids and r[1] in by_district),
                           key=lambda r: (r[4], r[5], r[6]))
    peak_at, wanted = {}, {}
    for item in peak_ids:
        totals[item], peak_at[item] = peaks.get(item, (ZERO, None))
        if peak_at[item]:
            wanted[(None, item)] = peak_at[item]
        for district_code in by_district:
            by_district[district_code][item], when = district_peaks.get((district_code, item), (ZERO, None))
            if when:
                wanted[(district_code, item)] = when
    if with_sources:
        found = _in_effect(peak_rows, wanted)
        for item in peak_ids:
            sources[item] = found.get((None, item), [])
            for district_code in by_district:
                district_sources[(district_code, item)] = found.get((district_code, item), [])
    definition.derive(totals)
    for values in by_district.values():
        definition.derive(values)
    if with_sources:
        for item_id in definition.derived_order:
            sources[item_id] = sorted({v for ref in definition.sources_of(item_id) for v in sources.get(ref, [])})
            for district_code in by_district:
                district_sources[(district_code, item_id)] = sorted({
                    v for ref in definition.sources_of(item_id)
                    for v in district_sources.get((district_code, ref), [])})
    totals = _tidy(totals)
    by_district = {district_code: _tidy(values) for district_code, values in by_district.items()}
    return Aggregate(definition=definition, definition_code=code, definition_version=version, totals=totals,
                     by_district=by_district, district_names=district_names, current=_tidy(current),
                     peak_at=peak_at,
                     report_count=report_count, last_report_at=last_report_at, is_drill=is_drill,
                     sources=dict(sources) if with_sources else None,
                     district_sources=dict(district_sources) if with_sources else None)


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value else "0"
    return text


def to_snapshot(aggregate: Aggregate) -> dict:
    """A JSON-safe copy of an aggregate for an issued report (numbers as decimal strings)."""
    return {
        "definition": [aggregate.definition_code, aggregate.definition_version],
        "totals": {k: _num(v) for k, v in aggregate.totals.items()},
        "by_district": {code: {k: _num(v) for k, v in values.items()} for code, values in
                        aggregate.by_district.items()},
        "district_names": aggregate.district_names,
        "current": {k: _num(v) for k, v in aggregate.current.items()},
        "peak_at": {k: v.isoformat() if v else None for k, v in aggregate.peak_at.items()},
        "report_count": aggregate.report_count,
        "last_report_at": aggregate.last_report_at.isoformat() if aggregate.last_report_at else None,
        "is_drill": aggregate.is_drill,
        "sources": aggregate.sources or {},
        "district_sources": {f"{code}:{item}": ids for (code, item), ids in (aggregate.district_sources or {}).items()
                             if ids},
    }


def from_snapshot(snapshot: dict, definition: Definition) -> Aggregate:
    """The Aggregate an issued report froze, for its pages and its Excel file."""
    def nums(values):
        return {k: Decimal(v) for k, v in values.items()}

    district_sources = {}
    for key, ids in snapshot.get("district_sources", {}).items():
        code, item = key.split(":", 1)
        district_sources[(code, item)] = ids
    return Aggregate(
        definition=definition, definition_code=snapshot["definition"][0],
        definition_version=snapshot["definition"][1], totals=nums(snapshot["totals"]),
        by_district={code: nums(values) for code, values in snapshot["by_district"].items()},
        district_names=snapshot["district_names"], current=nums(snapshot["current"]),
        peak_at={k: datetime.fromisoformat(v) if v else None for k, v in snapshot["peak_at"].items()},
        report_count=snapshot["report_count"],
        last_report_at=datetime.fromisoformat(snapshot["last_report_at"]) if snapshot["last_report_at"] else None,
        is_drill=snapshot.get("is_drill", False), sources=snapshot.get("sources", {}),
        district_sources=district_sources)
