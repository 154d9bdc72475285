"""The plan's KPIs as open data (CSV and JSON) and the CSV import in the same format (docs/kpi.md).

One CSV row per KPI and column of the plan table (a fiscal year, or the plan's multi-year column). Importing a
file writes the 結果 cells of the KPIs their owners enter by hand (measured KPIs are Toki's own and are skipped),
only where the figure differs from the latest one; every row is checked first and nothing is written when any row
is wrong (row, column, reason)."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.kpi import achievement, actions, permissions, selectors
from toki.kpi.models import Kpi, Plan

HEADER = ["基本目標", "施策コード", "施策", "KPIコード", "KPI", "単位", "方向", "担当", "年度", "年度（和暦）",
          "目標", "目標（計画の表記）", "結果", "達成率(%)", "評価", "測定"]
MAX_IMPORT_BYTES = 2_000_000
MAX_ROWS = 5000


def _number(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


def plan_rows(plan: Plan, today: date):
    yield HEADER
    columns, table = selectors.plan_table(plan, today)
    for goal in table:
        for measure in goal.measures:
            for row in measure.rows:
                kpi = row.kpi
                for (first, last), figure in zip(columns, row.years, strict=True):
                    year = str(first) if first == last else f"{first}-{last}"
                    yield [goal.goal.number, measure.measure.code, measure.measure.title, kpi.code, kpi.name,
                           kpi.unit, kpi.direction, kpi.owner_name, year, achievement.wareki_year(first),
                           _number(figure.target), figure.target_label,
                           figure.result_label if kpi.direction == Kpi.Direction.STAGE else _number(figure.result),
                           _number(figure.rate), figure.status,
                           "Toki" if selectors.is_measured(kpi) else "手入力"]


def plan_document(plan: Plan, today: date) -> dict:
    columns, table = selectors.plan_table(plan, today)
    return {
        "plan": {"code": plan.code, "title": plan.title, "municipality": plan.municipality.code,
                 "fiscal_year_start_month": plan.fiscal_year_start_month, "as_of": today.isoformat()},
        "goals": [{
            "number": goal.goal.number, "title": goal.goal.title,
            "measures": [{
                "code": measure.measure.code, "title": measure.measure.title,
                "departments": measure.measure.departments,
                "kpis": [{
                    "code": row.kpi.code, "name": row.kpi.name, "unit": row.kpi.unit,
                    "direction": row.kpi.direction, "stages": row.kpi.stages, "owner": row.kpi.owner_name,
                    "measured_by_toki": selectors.is_measured(row.kpi), "stale": row.stale,
                    "years": [{"first_year": first, "last_year": last, "target": _number(f.target) or None,
                               "target_label": f.target_label, "result": _number(f.result) or None,
                               "result_label": f.result_label, "rate_percent": _number(f.rate) or None,
                               "status": f.status}
                              for (first, last), f in zip(columns, row.years, strict=True)],
                } for row in measure.rows],
            } for measure in goal.measures],
        } for goal in table],
    }


class ImportProblems(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _read_rows(upload) -> list[dict]:
    raw = upload.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportProblems([_("the file is larger than %(n)d MB") % {"n": MAX_IMPORT_BYTES // 1_000_000}])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblems([_("the file is not UTF-8 text (save it as CSV UTF-8)")]) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in ("KPIコード", "年度", "結果") if name not in (reader.fieldnames or [])]
    if missing:
        raise ImportProblems([_("row 1: missing column(s) %(columns)s") % {"columns": "、".join(missing)}])
    rows = list(reader)
    if len(rows) > MAX_ROWS:
        raise ImportProblems([_("more than %(n)d rows") % {"n": MAX_ROWS}])
    return rows


def import_results(plan: Plan, upload, *, acting_user) -> int:
    rows = _read_rows(upload)
    kpis = {k.code: k for k in Kpi.objects.filter(measure__goal__plan=plan).select_related("measure__goal__plan")}
    problems, writes = [], []
    for number, row in enumerate(rows, start=2):
        value = (row.get("結果") or "").strip()
        if not value:
            continue
        kpi = kpis.get((row.get("KPIコード") or "").strip())
        if kpi is None:
            problems.append(_("row %(row)d, KPIコード: “%(value)s” is not a KPI of this plan") % {
                "row": number, "value": row.get("KPIコード")})
            continue
        if selectors.is_measured(kpi):
            continue  # Toki measures it; the exported figure is Toki's own
        year_text = (row.get("年度") or "").split("-")[-1].strip()
        if not year_text.isdigit():
            problems.append(_("row %(row)d, 年度: “%(value)s” is not a fiscal year") % {
                "row": number, "value": row.get("年度")})
            continue
        if not permissions.may_update_kpi(acting_user, kpi):
            problems.append(_("row %(row)d, KPIコード: you may not record results for %(code)s") % {
                "row": number, "code": kpi.code})
            continue
        writes.append((number, kpi, int(year_text), value))
    with transaction.atomic():
        count = 0
        for number, kpi, year, value in writes:
            latest = selectors.latest_results_of(kpi).get(year)
            if latest is not None and _same(kpi, latest.value, value):
                continue
            try:
                _first, last = achievement.fiscal_year_bounds(year, plan.fiscal_year_start_month)
                actions.record_result(kpi, fiscal_year=year, value=value, as_of=min(last, timezone.localdate()),
                                      note="CSV import", acting_user=acting_user)
                count += 1
            except (ValidationError, PermissionDenied) as error:
                reasons = error.message_dict.values() if isinstance(error, ValidationError) else [[str(error)]]
                problems += [_("row %(row)d, 結果: %(reason)s") % {"row": number, "reason": reason}
                             for group in reasons for reason in group]
        if problems:
            transaction.set_rollback(True)
            raise ImportProblems(problems)
    return count


def _same(kpi: Kpi, stored, text: str) -> bool:
    if kpi.direction == Kpi.Direction.STAGE:
        return text in kpi.stages and kpi.stages.index(text) + 1 == int(stored)
    try:
        return Decimal(text.replace(",", "")) == stored
    except ArithmeticError:
        return False
