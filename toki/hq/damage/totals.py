"""The denormalised current state the live aggregate reads (docs/damage-reports.md, "Speed").

Three tables, kept inside the same transaction as the report version that changes them (the caller holds the
incident's row lock, so writers of one incident queue):

- DamageTotal: per (district, item) the sum over current versions. A new version adds its values and takes away
  those of the version it supersedes.
- LifelineLevel: for each peak item, per district and for the whole incident (district None), the concurrent
  total as a step function of observed time: one row per moment something was observed. A change of δ at
  moment t inserts a row at t (starting from the level just before t) and adds δ to every row from t on; events
  at the same moment land on the same row, so a correction at the same moment replaces the wrong figure.
- LifelinePeak: the highest level of each (district or incident, item) and the first moment it was reached,
  refreshed for the scopes an event touched.

`rebuild(incident)` recomputes all three from the DamageCount rows (after a bulk load, or to check them).
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from toki.hq.damage.models import DamageCount, DamageTotal, LifelineLevel, LifelinePeak

ZERO = Decimal(0)


def _add_totals(incident_id, deltas: dict) -> None:
    for (district_id, item), delta in deltas.items():
        if not delta:
            continue
        updated = DamageTotal.objects.filter(incident_id=incident_id, district_id=district_id, item=item).update(
            value=F("value") + delta)
        if not updated:
            DamageTotal.objects.create(incident_id=incident_id, district_id=district_id, item=item, value=delta)


def _shift(incident_id, item, district_id, moment, delta) -> None:
    scope = LifelineLevel.objects.filter(incident_id=incident_id, item=item, district_id=district_id)
    if not scope.filter(observed_at=moment).exists():
        before = scope.filter(observed_at__lt=moment).order_by("-observed_at").values_list("level", flat=True).first()
        LifelineLevel.objects.create(incident_id=incident_id, item=item, district_id=district_id, observed_at=moment,
                                     level=before if before is not None else ZERO)
    scope.filter(observed_at__gte=moment).update(level=F("level") + delta)


def _refresh_peak(incident_id, item, district_id) -> None:
    top = (LifelineLevel.objects.filter(incident_id=incident_id, item=item, district_id=district_id)
           .order_by("-level", "observed_at").values_list("level", "observed_at").first())
    peak, at = top if top and top[0] > 0 else (ZERO, None)
    updated = LifelinePeak.objects.filter(incident_id=incident_id, item=item, district_id=district_id).update(
        peak=peak, peak_at=at)
    if not updated:
        LifelinePeak.objects.create(incident_id=incident_id, item=item, district_id=district_id, peak=peak,
                                    peak_at=at)


def apply_change(incident_id, *, removed: dict, added: dict, moment, peak_items) -> None:
    """A version replaced another: `removed` and `added` map (district_id, item) → value; `moment` is the new
    version's observed_at. Call inside the action's transaction, holding the incident's lock."""
    deltas = defaultdict(lambda: ZERO)
    for key, value in removed.items():
        deltas[key] -= value
    for key, value in added.items():
        deltas[key] += value
    _add_totals(incident_id, deltas)
    by_item = defaultdict(dict)
    for (district_id, item), delta in deltas.items():
        if item in peak_items:
            by_item[item][district_id] = delta
    touched = {(district_id, item) for (district_id, item) in set(removed) | set(added) if item in peak_items}
    for item, district_deltas in by_item.items():
        for district_id, delta in district_deltas.items():
            _shift(incident_id, item, district_id, moment, delta)
        _shift(incident_id, item, None, moment, sum(district_deltas.values(), ZERO))
    for district_id, item in touched:
        _refresh_peak(incident_id, item, district_id)
    for item in {item for _d, item in touched}:
        _refresh_peak(incident_id, item, None)


def rebuild(incident, peak_items) -> None:
    """Recompute DamageTotal, LifelineLevel and LifelinePeak of one incident from its DamageCount rows."""
    with transaction.atomic():
        type(incident).objects.select_for_update().filter(pk=incident.pk).first()
        for model in (DamageTotal, LifelineLevel, LifelinePeak):
            model.objects.filter(incident=incident).delete()
        counts = DamageCount.objects.filter(incident=incident)
        DamageTotal.objects.bulk_create(
            DamageTotal(incident=incident, district_id=d, item=item, value=value)
            for d, item, value in counts.filter(is_current=True).values("district_id", "item").annotate(
                value=Sum("value")).values_list("district_id", "item", "value").order_by())
        rows = sorted(counts.filter(item__in=list(peak_items)).values_list(
            "report_id", "district_id", "item", "value", "observed_at", "recorded_at", "version_id"),
            key=lambda r: (r[4], r[5], r[6]))
        levels, peaks = _sweep(rows)
        LifelineLevel.objects.bulk_create(
            (LifelineLevel(incident=incident, district_id=d, item=item, observed_at=at, level=level)
             for (d, item, at), level in levels.items()), batch_size=5000)
        LifelinePeak.objects.bulk_create(
            LifelinePeak(incident=incident, district_id=d, item=item, peak=peak, peak_at=at)
            for (d, item), (peak, at) in peaks.items())


def _sweep(rows):
    """rows sorted by (observed_at, recorded_at, version_id) → ({(district|None, item, moment): level},
    {(district|None, item): (peak, first moment)}), the same definition apply_change keeps incrementally."""
    value_of, running = {}, defaultdict(lambda: ZERO)
    levels, peaks = {}, {}
    i, n = 0, len(rows)
    while i < n:
        moment = rows[i][4]
        touched = set()
        while i < n and rows[i][4] == moment:
            report_id, district_id, item, value = rows[i][:4]
            previous = value_of.get((report_id, item))
            if previous is not None:
                running[(previous[1], item)] -= previous[0]
                running[(None, item)] -= previous[0]
                touched.add((previous[1], item))
            value_of[(report_id, item)] = (value, district_id)
            running[(district_id, item)] += value
            running[(None, item)] += value
            touched |= {(district_id, item), (None, item)}
            i += 1
        for scope in touched:
            level = running[scope]
            levels[(*scope, moment)] = level
            if level > peaks.get(scope, (ZERO, None))[0]:
                peaks[scope] = (level, moment)
    for scope in {(d, item) for d, item, _m in levels}:
        peaks.setdefault(scope, (ZERO, None))
    return levels, peaks
