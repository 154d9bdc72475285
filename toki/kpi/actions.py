"""Every write of the plan's KPIs (DESIGN.md rules 2 and 3): keyword-only `acting_user`, one transaction, an
AuditEvent. Results are append-only (the latest per KPI and year counts)."""

from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit
from toki.accounts.models import OrgUnit
from toki.areas.models import Municipality
from toki.kpi import achievement, permissions, providers
from toki.kpi.models import Goal, Kpi, Measure, Note, Plan, PlanAction, Result, Target
from toki.kpi.plan_file import PlanData
from toki.lib.metrics import Measurement, Period, Unavailable

MAX_NOTE = 4000


def load_plan(data: PlanData, *, acting_user) -> Plan:
    """Create or update the plan from a validated file: goals, measures, actions, KPIs and targets are matched by
    number and code; what the file no longer lists is removed, except KPIs with results (kept, and named in the
    error so that nobody loses a year's figures by a typo)."""
    if acting_user is not None and not permissions.may_administer_plan(acting_user):
        raise PermissionDenied("loading a plan needs a plan administrator")
    try:
        municipality = Municipality.objects.get(code=data.municipality)
    except Municipality.DoesNotExist:
        raise ValidationError({"municipality": f"no municipality with code {data.municipality} is loaded"}) from None
    with transaction.atomic():
        plan, created = Plan.objects.update_or_create(
            municipality=municipality, code=data.code,
            defaults={"title": data.title, "first_year": data.first_year, "last_year": data.last_year,
                      "fiscal_year_start_month": data.fiscal_year_start_month})
        kept_kpis = _write_goals(plan, data)
        orphans = Kpi.objects.filter(measure__goal__plan=plan).exclude(pk__in=kept_kpis)
        with_results = list(orphans.filter(results__isnull=False).values_list("code", flat=True).distinct())
        if with_results:
            raise ValidationError({"kpis": f"the file leaves out KPIs that have results: {', '.join(with_results)}"})
        orphans.delete()
        Measure.objects.filter(goal__plan=plan).exclude(pk__in=_measure_ids(plan, data)).delete()
        Goal.objects.filter(plan=plan).exclude(number__in=[g.number for g in data.goals]).delete()
        audit.record(actor=acting_user, action="kpi.plan_loaded", obj=plan,
                     changes={"created": created, "kpis": len(kept_kpis)})
    return plan


def _measure_ids(plan: Plan, data: PlanData) -> list[int]:
    wanted = {(g.number, m.code) for g in data.goals for m in g.measures}
    return [pk for pk, number, code in Measure.objects.filter(goal__plan=plan).values_list(
        "pk", "goal__number", "code") if (number, code) in wanted]


def _write_goals(plan: Plan, data: PlanData) -> list[int]:
    departments = {unit.name: unit for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)}
    kept = []
    for goal_data in data.goals:
        goal, _ = Goal.objects.update_or_create(plan=plan, number=goal_data.number,
                                                defaults={"title": goal_data.title, "field": goal_data.field})
        for position, measure_data in enumerate(goal_data.measures):
            measure, _ = Measure.objects.update_or_create(
                goal=goal, code=measure_data.code,
                defaults={"title": measure_data.title, "departments": measure_data.departments,
                          "position": position})
            measure.actions.all().delete()
            PlanAction.objects.bulk_create(
                PlanAction(measure=measure, position=i, title=title, timeline=timeline)
                for i, (title, timeline) in enumerate(measure_data.actions))
            for k, kpi_data in enumerate(measure_data.kpis):
                kpi = _write_kpi(plan, measure, k, kpi_data, departments)
                kept.append(kpi.pk)
    return kept


def _write_kpi(plan: Plan, measure: Measure, position: int, kpi_data, departments) -> Kpi:
    fields = {
        "measure": measure, "position": position, "name": kpi_data.name, "unit": kpi_data.unit,
        "direction": kpi_data.direction, "stages": kpi_data.stages, "baseline": kpi_data.baseline,
        "owner": departments.get(kpi_data.owner), "owner_name": kpi_data.owner, "cadence": kpi_data.cadence,
        "metric": kpi_data.metric, "accumulates": kpi_data.accumulates,
        "saved_against_baseline": kpi_data.saved_against_baseline, "definition": kpi_data.definition,
    }
    kpi = Kpi.objects.filter(measure__goal__plan=plan, code=kpi_data.code).first()
    if kpi is None:
        kpi = Kpi.objects.create(code=kpi_data.code, **fields)
    else:
        for name, value in fields.items():
            setattr(kpi, name, value)
        kpi.save()
    kpi.targets.all().delete()
    Target.objects.bulk_create(
        Target(kpi=kpi, first_year=t.first_year, last_year=t.last_year, value=t.value, label=t.label)
        for t in kpi_data.targets)
    return kpi


def _clean_value(kpi: Kpi, raw) -> Decimal:
    if kpi.direction == Kpi.Direction.STAGE:
        if raw not in kpi.stages:
            raise ValidationError({"value": _("choose one of the stages: %(stages)s") % {
                "stages": "、".join(kpi.stages)}})
        return Decimal(kpi.stages.index(raw) + 1)
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, TypeError):
        raise ValidationError({"value": _("“%(value)s” is not a number") % {"value": raw}}) from None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise ValidationError({"value": _("the number is out of range")})
    if value < 0:
        raise ValidationError({"value": _("a result cannot be negative")})
    return value.quantize(Decimal("0.01"))


def _check_year(plan: Plan, year: int) -> None:
    if not plan.first_year <= year <= plan.last_year:
        raise ValidationError({"fiscal_year": _("the plan runs from %(first)s to %(last)s") % {
            "first": plan.first_year, "last": plan.last_year}})


def _check_evidence(url: str) -> str:
    url = (url or "").strip()
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise ValidationError({"evidence_url": _("give an http(s) link")})
    return url


def record_result(kpi: Kpi, *, fiscal_year: int, value, as_of: date | None = None, note: str = "",
                  evidence_url: str = "", acting_user) -> Result:
    """An owner's figure for a year, with its evidence and a note."""
    if not permissions.may_update_kpi(acting_user, kpi):
        raise PermissionDenied("only the KPI's owner or a plan administrator records its results")
    plan = kpi.measure.goal.plan
    _check_year(plan, fiscal_year)
    if len(note or "") > MAX_NOTE:
        raise ValidationError({"note": _("at most %(n)d characters") % {"n": MAX_NOTE}})
    as_of = as_of or timezone.localdate()
    first, last = achievement.fiscal_year_bounds(fiscal_year, plan.fiscal_year_start_month)
    if not first <= as_of <= max(last, first):
        raise ValidationError({"as_of": _("a date inside the fiscal year (%(first)s – %(last)s)") % {
            "first": first, "last": last}})
    with transaction.atomic():
        result = Result.objects.create(
            kpi=kpi, fiscal_year=fiscal_year, value=_clean_value(kpi, value), source=Result.Source.MANUAL,
            as_of=as_of, note=(note or "").strip(), evidence_url=_check_evidence(evidence_url),
            recorded_by=acting_user if acting_user.is_authenticated else None)
        audit.record(actor=acting_user, action="kpi.result_recorded", obj=result,
                     changes={"kpi": kpi.code, "fiscal_year": fiscal_year, "value": str(result.value)})
    return result


def refresh_computed_results(plan: Plan, *, today: date | None = None, years: list[int] | None = None,
                             kpis: list[Kpi] | None = None) -> dict:
    """Ask every KPI's metric provider for each fiscal year of the plan that has begun (or `years`), up to
    `today`, and record the figures that changed. Returns {kpi code: {year: value or the reason it is missing}}."""
    today = today or timezone.localdate()
    current = achievement.fiscal_year_of(today, plan.fiscal_year_start_month)
    years = years or list(range(plan.first_year, min(current, plan.last_year) + 1))
    report: dict[str, dict[int, str]] = {}
    measured = kpis if kpis is not None else Kpi.objects.filter(measure__goal__plan=plan).exclude(metric="")
    for kpi in measured:
        for year in years:
            first, last = achievement.fiscal_year_bounds(year, plan.fiscal_year_start_month)
            if first > today:
                continue
            answer = _against_baseline(kpi, providers.measure(kpi.metric, plan.municipality,
                                                              Period(first, min(last, today))))
            if isinstance(answer, Measurement):
                _record_computed(kpi, year, answer, as_of=min(last, today))
                report.setdefault(kpi.code, {})[year] = str(answer.value)
            else:
                report.setdefault(kpi.code, {})[year] = answer.reason
    return report


def _against_baseline(kpi: Kpi, answer):
    """For a 短縮時間 KPI: the minutes saved, from the measured minutes and the city's baseline."""
    if not kpi.saved_against_baseline or not isinstance(answer, Measurement):
        return answer
    if kpi.baseline is None:
        return Unavailable(f"Toki measured {answer.value} minutes, but the city has not recorded the baseline "
                           "(the minutes the work took before) yet")
    # As stored (two decimals): the baseline just set (Decimal("180")) and the one read back ("180.00") must give
    # the same details, or the unchanged figure would be recorded again.
    baseline = kpi.baseline.quantize(Decimal("0.01"))
    return Measurement(baseline - answer.value, numerator=answer.value, denominator=baseline,
                       note=f"baseline {baseline} − measured {answer.value} ({answer.note})")


def _record_computed(kpi: Kpi, year: int, answer: Measurement, *, as_of: date) -> Result | None:
    details = {"numerator": _text(answer.numerator), "denominator": _text(answer.denominator), "note": answer.note}
    value = answer.value.quantize(Decimal("0.01"))
    latest = kpi.results.filter(fiscal_year=year, source=Result.Source.COMPUTED).order_by("-recorded_at", "-id").first()
    if latest is not None and latest.value == value and latest.details == details and latest.as_of == as_of:
        return None
    with transaction.atomic():
        return Result.objects.create(kpi=kpi, fiscal_year=year, value=value, source=Result.Source.COMPUTED,
                                     as_of=as_of, details=details)


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def write_note(kpi: Kpi, *, fiscal_year: int, analysis: str, improvement: str, acting_user) -> Note:
    """The owner's PDCA note (要因分析, 改善方針) for a year. Writing it again after review sends it back to draft."""
    if not permissions.may_update_kpi(acting_user, kpi):
        raise PermissionDenied("only the KPI's owner or a plan administrator writes its notes")
    _check_year(kpi.measure.goal.plan, fiscal_year)
    errors = {name: _("at most %(n)d characters") % {"n": MAX_NOTE} for name, text in
              (("analysis", analysis), ("improvement", improvement)) if len(text or "") > MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        note, _ = Note.objects.select_for_update().get_or_create(kpi=kpi, fiscal_year=fiscal_year)
        note.analysis, note.improvement = (analysis or "").strip(), (improvement or "").strip()
        note.stage = Note.Stage.DRAFT
        note.updated_by = acting_user
        note.save()
        audit.record(actor=acting_user, action="kpi.note_written", obj=note, changes={"fiscal_year": fiscal_year})
    return note


def set_note_stage(note: Note, *, stage: str, acting_user) -> Note:
    """Internal review, then external review (産官学金労言): only in that order, by a plan administrator."""
    if not permissions.may_review_notes(acting_user):
        raise PermissionDenied("reviews are recorded by a plan administrator")
    order: list[str] = [Note.Stage.DRAFT, Note.Stage.INTERNAL, Note.Stage.EXTERNAL]
    if stage not in order:
        raise ValidationError({"stage": f"unknown stage {stage!r}"})
    with transaction.atomic():
        note = Note.objects.select_for_update().get(pk=note.pk)
        if order.index(stage) != order.index(note.stage) + 1:
            raise ValidationError({"stage": _("reviews go draft → internal → external, one step at a time")})
        if not (note.analysis or note.improvement):
            raise ValidationError({"stage": _("an empty note cannot be reviewed")})
        note.stage = stage
        note.save(update_fields=["stage", "updated_at"])
        audit.record(actor=acting_user, action="kpi.note_reviewed", obj=note, changes={"stage": stage})
    return note


def set_baseline(kpi: Kpi, *, baseline: Decimal, acting_user) -> Kpi:
    """The minutes the work took before Toki, measured once by the city (短縮時間 KPIs); recomputes the results."""
    if not permissions.may_administer_plan(acting_user):
        raise PermissionDenied("the baseline is recorded by a plan administrator")
    if baseline is None or baseline < 0 or not baseline.is_finite():
        raise ValidationError({"baseline": _("a number of minutes, zero or more")})
    with transaction.atomic():
        old = kpi.baseline
        kpi.baseline = baseline
        kpi.save(update_fields=["baseline"])
        audit.record(actor=acting_user, action="kpi.baseline_set", obj=kpi,
                     changes={"baseline": [str(old) if old is not None else None, str(baseline)]})
    if kpi.metric:
        refresh_computed_results(kpi.measure.goal.plan, kpis=[kpi])
    return kpi


REMIND_EVERY_DAYS = 7


def remind_owners(plan: Plan, *, today: date | None = None, send) -> list[str]:
    """Remind the owners of manual KPIs whose update is overdue, at most once a week per KPI. `send(kpi,
    addresses)` delivers the reminder (e-mail); the owners also see the list on /kpi/mine/. Returns the codes."""
    from toki.kpi import selectors

    today = today or timezone.localdate()
    reminded = []
    _columns, table = selectors.plan_table(plan, today)
    for row in (row for g in table for m in g.measures for row in m.rows):
        kpi = row.kpi
        if not row.stale or kpi.owner is None:
            continue
        if kpi.reminded_at and (timezone.now() - kpi.reminded_at).days < REMIND_EVERY_DAYS:
            continue
        addresses = sorted({m.user.email for m in kpi.owner.memberships.select_related("user")
                            if m.user.email and m.user.is_active and m.role in ("admin", "editor")})
        send(kpi, addresses)
        Kpi.objects.filter(pk=kpi.pk).update(reminded_at=timezone.now())
        audit.record(actor=None, action="kpi.owner_reminded", obj=kpi, changes={"recipients": len(addresses)})
        reminded.append(kpi.code)
    return reminded
