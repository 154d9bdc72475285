"""Reading a plan file (YAML; format in docs/kpi.md) into plain, validated data. Every fault is reported with where
it is (`goals[0].measures[1].kpis[2].targets.2025: …`) and all faults at once; nothing is written from a file that
has any (the action loads only what `read_plan` returned)."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

UNITS_STAGE = "stage"
DIRECTIONS = ("higher", "lower", "stage")
CADENCES = ("monthly", "quarterly", "yearly")
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
YEAR_SPAN = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
MAX_FILE_BYTES = 1_000_000


class PlanFileError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class TargetData:
    first_year: int
    last_year: int
    value: Decimal | None
    label: str


@dataclass
class KpiData:
    code: str
    name: str
    unit: str
    direction: str
    cadence: str
    owner: str
    metric: str
    accumulates: bool
    saved_against_baseline: bool
    stages: list[str]
    baseline: Decimal | None
    definition: str
    targets: list[TargetData] = field(default_factory=list)


@dataclass
class MeasureData:
    code: str
    title: str
    departments: list[str]
    actions: list[tuple[str, dict[str, str]]]
    kpis: list[KpiData]


@dataclass
class GoalData:
    number: int
    title: str
    field: str
    measures: list[MeasureData]


@dataclass
class PlanData:
    code: str
    title: str
    municipality: str
    first_year: int
    last_year: int
    fiscal_year_start_month: int
    goals: list[GoalData]


class _Reader:
    """Collects problems while reading so that a file's faults are all reported in one go."""

    def __init__(self):
        self.problems: list[str] = []

    def fail(self, where: str, reason: str) -> None:
        self.problems.append(f"{where}: {reason}")

    def text(self, data: dict, key: str, where: str, *, required=True, max_length=300) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"{where}.{key}", "missing")
            return ""
        if not isinstance(value, str | int):
            self.fail(f"{where}.{key}", "must be text")
            return ""
        value = str(value).strip()
        if len(value) > max_length:
            self.fail(f"{where}.{key}", f"at most {max_length} characters")
        return value

    def integer(self, data: dict, key: str, where: str, low: int, high: int, default=None) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.fail(f"{where}.{key}", f"must be a whole number from {low} to {high}")
            return low
        return value

    def number(self, value, where: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(where, "must be a number")
            return None
        try:
            number = Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            self.fail(where, f"{value!r} is not a number")
            return None
        if not number.is_finite() or abs(number) >= Decimal("1e12"):
            self.fail(where, f"{value!r} is out of range")
            return None
        return number

    def items(self, data: dict, key: str, where: str) -> list:
        value = data.get(key) or []
        if not isinstance(value, list):
            self.fail(f"{where}.{key}", "must be a list")
            return []
        return value

    def mapping(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping of names to values")
            return {}
        return value


def read_plan(path: str | Path) -> PlanData:
    path = Path(path)
    if not path.is_file():
        raise PlanFileError([f"{path}: no such file"])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PlanFileError([f"{path}: larger than {MAX_FILE_BYTES} bytes"])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise PlanFileError([f"{path}: not a readable YAML file ({error})"]) from None
    return parse_plan(raw)


def parse_plan(raw) -> PlanData:
    reader = _Reader()
    data = reader.mapping(raw, "plan")
    plan = PlanData(
        code=reader.text(data, "code", "plan", max_length=60),
        title=reader.text(data, "title", "plan", max_length=200),
        municipality=reader.text(data, "municipality", "plan", max_length=6),
        first_year=reader.integer(data, "first_year", "plan", 2000, 2100),
        last_year=reader.integer(data, "last_year", "plan", 2000, 2100),
        fiscal_year_start_month=reader.integer(data, "fiscal_year_start_month", "plan", 1, 12, default=4),
        goals=[],
    )
    if plan.code and not CODE.match(plan.code):
        reader.fail("plan.code", "lower-case letters, digits and hyphens only")
    if plan.last_year < plan.first_year:
        reader.fail("plan.last_year", "before first_year")
    kpi_codes: set[str] = set()
    for g, goal_raw in enumerate(reader.items(data, "goals", "plan")):
        plan.goals.append(_goal(reader, reader.mapping(goal_raw, f"goals[{g}]"), f"goals[{g}]", plan, kpi_codes))
    numbers = [goal.number for goal in plan.goals]
    if len(set(numbers)) != len(numbers):
        reader.fail("plan.goals", "two goals have the same number")
    if not plan.goals and not reader.problems:
        reader.fail("plan.goals", "the plan has no goals")
    if reader.problems:
        raise PlanFileError(reader.problems)
    return plan


def _goal(reader: _Reader, data: dict, where: str, plan: PlanData, kpi_codes: set[str]) -> GoalData:
    goal = GoalData(number=reader.integer(data, "number", where, 1, 99), title=reader.text(data, "title", where),
                    field=reader.text(data, "field", where, required=False, max_length=100), measures=[])
    measure_codes: set[str] = set()
    for m, measure_raw in enumerate(reader.items(data, "measures", where)):
        at = f"{where}.measures[{m}]"
        measure = _measure(reader, reader.mapping(measure_raw, at), at, plan, kpi_codes)
        if measure.code in measure_codes:
            reader.fail(f"{at}.code", f"{measure.code!r} is used twice in this goal")
        measure_codes.add(measure.code)
        goal.measures.append(measure)
    return goal


def _measure(reader: _Reader, data: dict, where: str, plan: PlanData, kpi_codes: set[str]) -> MeasureData:
    measure = MeasureData(code=reader.text(data, "code", where, max_length=60), title=reader.text(data, "title", where),
                          departments=[str(d) for d in reader.items(data, "departments", where)], actions=[], kpis=[])
    if measure.code and not CODE.match(measure.code):
        reader.fail(f"{where}.code", "lower-case letters, digits and hyphens only")
    for a, action_raw in enumerate(reader.items(data, "actions", where)):
        at = f"{where}.actions[{a}]"
        action = reader.mapping(action_raw, at)
        timeline = {}
        for span, text in reader.mapping(action.get("timeline") or {}, f"{at}.timeline").items():
            first, _last = _years(reader, span, f"{at}.timeline.{span}", plan)
            timeline[str(first)] = str(text)
        measure.actions.append((reader.text(action, "title", at), timeline))
    for k, kpi_raw in enumerate(reader.items(data, "kpis", where)):
        at = f"{where}.kpis[{k}]"
        kpi = _kpi(reader, reader.mapping(kpi_raw, at), at, plan)
        if kpi.code in kpi_codes:
            reader.fail(f"{at}.code", f"{kpi.code!r} is used twice in the plan")
        kpi_codes.add(kpi.code)
        measure.kpis.append(kpi)
    return measure


def _kpi(reader: _Reader, data: dict, where: str, plan: PlanData) -> KpiData:
    kpi = KpiData(
        code=reader.text(data, "code", where, max_length=60), name=reader.text(data, "name", where, max_length=200),
        unit=reader.text(data, "unit", where, max_length=20), direction=reader.text(data, "direction", where),
        cadence=reader.text(data, "cadence", where), owner=reader.text(data, "owner", where, required=False,
                                                                       max_length=100),
        metric=reader.text(data, "metric", where, required=False, max_length=80),
        accumulates=bool(data.get("accumulates", False)),
        saved_against_baseline=bool(data.get("saved_against_baseline", False)),
        stages=[str(s) for s in reader.items(data, "stages", where)],
        baseline=reader.number(data.get("baseline"), f"{where}.baseline"),
        definition=reader.text(data, "definition", where, required=False, max_length=2000),
    )
    if kpi.code and not CODE.match(kpi.code):
        reader.fail(f"{where}.code", "lower-case letters, digits and hyphens only")
    if kpi.direction and kpi.direction not in DIRECTIONS:
        reader.fail(f"{where}.direction", f"one of {', '.join(DIRECTIONS)}")
    if kpi.cadence and kpi.cadence not in CADENCES:
        reader.fail(f"{where}.cadence", f"one of {', '.join(CADENCES)}")
    if kpi.saved_against_baseline and not kpi.metric:
        reader.fail(f"{where}.saved_against_baseline",
                    "only a measured KPI (with a metric) is saved against a baseline")
    if (kpi.direction == "stage") != bool(kpi.stages):
        reader.fail(f"{where}.stages", "a stage KPI lists its stages; other KPIs have none")
    for span, value in reader.mapping(data.get("targets") or {}, f"{where}.targets").items():
        kpi.targets.append(_target(reader, kpi, span, value, f"{where}.targets.{span}", plan))
    return kpi


def _target(reader: _Reader, kpi: KpiData, span, value, where: str, plan: PlanData) -> TargetData:
    first, last = _years(reader, span, where, plan)
    label = ""
    if isinstance(value, dict):
        label = str(value.get("label") or "")
        value = value.get("value")
    if kpi.direction == "stage":
        if value not in kpi.stages:
            reader.fail(where, f"{value!r} is not one of the KPI's stages")
            return TargetData(first, last, None, "")
        return TargetData(first, last, Decimal(kpi.stages.index(value) + 1), str(value))
    number = reader.number(value, where)
    if number is None and not label:
        reader.fail(where, "give a value, or a label for a target the plan words without a number")
    return TargetData(first, last, number, label)


def _years(reader: _Reader, span, where: str, plan: PlanData) -> tuple[int, int]:
    match = YEAR_SPAN.match(str(span))
    if not match:
        reader.fail(where, "a fiscal year (2025) or a span of them (2029-2031)")
        return 0, 0
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first or not plan.first_year <= first <= plan.last_year or last > plan.last_year:
        reader.fail(where, f"outside the plan's years {plan.first_year}–{plan.last_year}")
    return first, last
