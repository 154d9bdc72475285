"""Reads of the plan's KPIs: the plan table (目標 / 結果 / 達成率 per fiscal year), one KPI with its history, the
owners' to-do list. Public reads only show notes that passed internal review (permissions.may_see_draft_notes)."""

import contextlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Prefetch

from toki.kpi import achievement, providers
from toki.kpi.models import Goal, Kpi, Measure, Note, Plan, Result, Target


def bands():
    return achievement.parse_bands(getattr(settings, "TOKI_KPI_BANDS", "S:100,A:80,B:60,C:0"))


def plan_for(municipality, code: str | None = None) -> Plan | None:
    plans = Plan.objects.filter(municipality=municipality).select_related("municipality")
    return (plans.filter(code=code) if code else plans.order_by("-first_year", "code")).first()


def get_kpi(plan: Plan, code: str) -> Kpi:
    return (Kpi.objects.select_related("measure__goal__plan", "owner")
            .prefetch_related("targets").get(measure__goal__plan=plan, code=code))


@dataclass
class KpiRow:
    kpi: Kpi
    years: list[achievement.YearFigure]
    latest: Result | None
    stale: bool
    has_owner: bool
    current: achievement.YearFigure | None = None


@dataclass
class MeasureRows:
    measure: Measure
    rows: list[KpiRow] = field(default_factory=list)


@dataclass
class GoalRows:
    goal: Goal
    measures: list[MeasureRows] = field(default_factory=list)


def plan_years(plan: Plan) -> list[tuple[int, int]]:
    """The plan table's columns: one per fiscal year, except that years every multi-year target of the plan spans
    together (令和11-13年) make one column."""
    spans = {(t.first_year, t.last_year) for t in Target.objects.filter(kpi__measure__goal__plan=plan)
             if t.last_year > t.first_year}
    columns, year = [], plan.first_year
    while year <= plan.last_year:
        span = next(((first, last) for first, last in spans if first == year), None)
        columns.append(span or (year, year))
        year = (span[1] if span else year) + 1
    return columns


def _target_for(targets: list[Target], first: int, last: int) -> Target | None:
    return next((t for t in targets if t.first_year <= last and t.last_year >= first), None)


def _value_label(kpi: Kpi, value: Decimal | None) -> str:
    if value is None:
        return ""
    if kpi.direction == Kpi.Direction.STAGE:
        position = int(value)
        return kpi.stages[position - 1] if 1 <= position <= len(kpi.stages) else ""
    return f"{number_text(value, kpi.unit)}{kpi.unit}"


def number_text(value: Decimal, unit: str) -> str:
    """1825000 → 「1,825,000」; a score keeps one decimal as the plan writes it (3.0p); others drop trailing zeros."""
    if unit == "p":
        return f"{value:,.1f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def year_figure(kpi: Kpi, targets: list[Target], latest_by_year: dict[int, Result], first: int, last: int,
                today: date, rule) -> achievement.YearFigure:
    """目標 / 結果 / 達成率 for a column. A column of several years shows the result of its last year reached."""
    plan = kpi.measure.goal.plan
    target = _target_for(targets, first, last)
    result = next((latest_by_year[y] for y in range(last, first - 1, -1) if y in latest_by_year), None)
    target_value = target.value if target else None
    year = result.fiscal_year if result else first
    current = achievement.fiscal_year_of(today, plan.fiscal_year_start_month)
    compared = achievement.interim_target(target_value, accumulates=kpi.accumulates, year=year, today=today,
                                          start_month=plan.fiscal_year_start_month)
    rate = achievement.achievement_rate(kpi.direction, result.value if result else None, compared)
    return achievement.YearFigure(
        year=first, target=target_value,
        target_label=(target.label or _value_label(kpi, target_value)) if target else "",
        result=result.value if result else None, result_label=_value_label(kpi, result.value if result else None),
        rate=rate, status=achievement.status_band(rate, rule),
        interim=bool(result) and year == current and kpi.accumulates)


def _latest_results(kpis: list[Kpi]) -> dict[int, dict[int, Result]]:
    latest: dict[int, dict[int, Result]] = {}
    for result in Result.objects.filter(kpi__in=kpis).order_by("kpi_id", "fiscal_year", "-recorded_at", "-id"):
        latest.setdefault(result.kpi_id, {}).setdefault(result.fiscal_year, result)
    return latest


TABLE_CACHE_SECONDS = 3600


def table_version(plan: Plan, today: date) -> str:
    """What the plan table depends on: its newest result, the plan's last load and the day (interim targets move
    daily). One query."""
    newest = Result.objects.filter(kpi__measure__goal__plan=plan).aggregate(newest=Max("pk"))["newest"] or 0
    return f"{plan.pk}:{newest}:{plan.loaded_at.timestamp():.0f}:{today.isoformat()}"


def cached(key: str):
    """The cache's value, or None; a cache that fails is skipped, never fatal (Redis down: the database serves)."""
    try:
        return cache.get(key)
    except Exception:  # a cache outage must not take the page down
        return None


def keep(key: str, value) -> None:
    with contextlib.suppress(Exception):  # as above: the page is served from the database
        cache.set(key, value, TABLE_CACHE_SECONDS)


def plan_table_cached(plan: Plan, today: date):
    """`plan_table` through the cache, keyed by `table_version`."""
    key = f"kpi:table:{table_version(plan, today)}"
    found = cached(key)
    if found is None:
        found = plan_table(plan, today)
        keep(key, found)
    return found


def plan_table(plan: Plan, today: date) -> tuple[list[tuple[int, int]], list[GoalRows]]:
    """The whole plan laid out like its own tables, in a fixed number of queries."""
    columns = plan_years(plan)
    kpis_qs = Kpi.objects.select_related("owner").prefetch_related("targets")
    goals = list(Goal.objects.filter(plan=plan).prefetch_related(
        Prefetch("measures", queryset=Measure.objects.prefetch_related(
            "actions", Prefetch("kpis", queryset=kpis_qs)))))
    all_kpis = [k for g in goals for m in g.measures.all() for k in m.kpis.all()]
    latest = _latest_results(all_kpis)
    rule = bands()
    current = achievement.fiscal_year_of(today, plan.fiscal_year_start_month)
    table = []
    for goal in goals:
        goal_rows = GoalRows(goal)
        for measure in goal.measures.all():
            measure_rows = MeasureRows(measure)
            for kpi in measure.kpis.all():
                kpi.measure = measure
                measure.goal = goal
                goal.plan = plan
                measure_rows.rows.append(kpi_row(kpi, latest.get(kpi.pk, {}), columns, today, current, rule))
            goal_rows.measures.append(measure_rows)
        table.append(goal_rows)
    return columns, table


def kpi_row(kpi: Kpi, latest_by_year: dict[int, Result], columns, today: date, current: int, rule) -> KpiRow:
    targets = list(kpi.targets.all())
    years = [year_figure(kpi, targets, latest_by_year, first, last, today, rule) for first, last in columns]
    newest = max(latest_by_year.values(), key=lambda r: r.recorded_at, default=None)
    stale = not is_measured(kpi) and achievement.is_stale(
        newest.recorded_at.date() if newest else None, kpi.cadence, today)
    current_figure = next((y for (first, last), y in zip(columns, years, strict=True) if first <= current <= last),
                          None)
    return KpiRow(kpi=kpi, years=years, latest=newest, stale=stale, has_owner=kpi.owner_id is not None,
                  current=current_figure)


def only_owner(table: list[GoalRows], owner: str) -> list[GoalRows]:
    """The plan table cut down to one department's KPIs (measures without any are left out)."""
    kept = []
    for goal in table:
        measures = [MeasureRows(m.measure, [r for r in m.rows if r.kpi.owner_name == owner]) for m in goal.measures]
        measures = [m for m in measures if m.rows]
        if measures:
            kept.append(GoalRows(goal.goal, measures))
    return kept


def is_measured(kpi: Kpi) -> bool:
    """Toki measures the KPI itself: an installed app provides its metric. Otherwise its owner enters it."""
    return bool(kpi.metric) and providers.metric(kpi.metric) is not None


def latest_results_of(kpi: Kpi) -> dict[int, Result]:
    return _latest_results([kpi]).get(kpi.pk, {})


def takeaway(row: KpiRow) -> str:
    """The chart's one-sentence description, e.g. 「令和8年度 達成率 82.0%（B）」."""
    figure = row.current or next((y for y in reversed(row.years) if y.result is not None), None)
    if figure is None or figure.result is None:
        return f"{row.kpi.name}: 結果はまだありません"
    rate = f"達成率 {figure.rate}%（{figure.status}）" if figure.rate is not None else "目標未設定"
    return f"{row.kpi.name}: {achievement.wareki_year(figure.year)} 結果 {figure.result_label}、{rate}"


def kpi_history(kpi: Kpi) -> list[Result]:
    """The latest 200 results, each with `label`: the figure as the plan writes it (the stage's name, 1,200世帯)."""
    results = list(kpi.results.select_related("recorded_by").order_by("-fiscal_year", "-recorded_at", "-id")[:200])
    for result in results:
        result.label = _value_label(kpi, result.value)  # type: ignore[attr-defined]
    return results


def notes_for(kpi: Kpi, *, include_drafts: bool) -> list[Note]:
    notes = kpi.notes.order_by("-fiscal_year")
    return list(notes if include_drafts else notes.exclude(stage=Note.Stage.DRAFT))


def kpis_to_update(user, plan: Plan, today: date) -> list[KpiRow]:
    """The owner's to-do list: the manual KPIs this user may update, stale ones first."""
    from toki.kpi import permissions

    _columns, table = plan_table(plan, today)
    rows = [row for g in table for m in g.measures for row in m.rows
            if not is_measured(row.kpi) and permissions.may_update_kpi(user, row.kpi)]
    return sorted(rows, key=lambda row: (not row.stale, row.kpi.position))
