"""The plan's KPI pages (docs/kpi.md): the public plan table, one KPI with its chart, definition, history and
reviewed PDCA notes; the owner's forms; open data. Permissions: toki/kpi/permissions.py."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality_or_404
from toki.kpi import achievement, actions, charts, opendata, permissions, providers, reports, selectors
from toki.kpi.forms import BaselineForm, NoteForm, ResultForm
from toki.kpi.models import Goal, Kpi, Note
from toki.lib.spreadsheet import csv_writer


def _plan_or_404():
    plan = selectors.plan_for(default_municipality_or_404())
    if plan is None:
        raise Http404("no plan is loaded")
    return plan


def _kpi_or_404(plan, code: str) -> Kpi:
    try:
        return selectors.get_kpi(plan, code)
    except Kpi.DoesNotExist:
        raise Http404 from None


def plan_page(request):
    """The plan's tables; `?owner=防災課` shows one department's KPIs (the per-department view). Anonymous readers
    get the page from the cache while no result has changed (the key: selectors.table_version)."""
    plan = _plan_or_404()
    today = timezone.localdate()
    key = None
    if not request.user.is_authenticated and not request.COOKIES.get("messages"):
        key = f"kpi:page:{selectors.table_version(plan, today)}:{get_language()}:{request.GET.get('owner', '')[:40]}"
        html = selectors.cached(key)
        if html is not None:
            return HttpResponse(html)
    response = _render_plan_page(request, plan, today)
    if key is not None:
        selectors.keep(key, response.content)
    return response


def _render_plan_page(request, plan, today):
    columns, table = selectors.plan_table_cached(plan, today)
    departments = sorted({row.kpi.owner_name for g in table for m in g.measures for row in m.rows
                          if row.kpi.owner_name})
    owner = request.GET.get("owner", "")
    if owner in departments:
        table = selectors.only_owner(table, owner)
    else:
        owner = ""
    return render(request, "kpi/plan.html", {
        "plan": plan, "columns": [_column_label(first, last) for first, last in columns], "table": table,
        "departments": departments, "owner": owner, "year": achievement.fiscal_year_of(
            today, plan.fiscal_year_start_month),
        "current_year": achievement.wareki_year(achievement.fiscal_year_of(today, plan.fiscal_year_start_month)),
        "may_administer": permissions.may_administer_plan(request.user),
    })


_column_label = reports.column_label


def _year_choices(plan) -> list[tuple[int, str]]:
    return [(y, achievement.wareki_year(y)) for y in range(plan.first_year, plan.last_year + 1)]


def kpi_page(request, code: str):
    plan = _plan_or_404()
    kpi = _kpi_or_404(plan, code)
    today = timezone.localdate()
    columns = selectors.plan_years(plan)
    row = selectors.kpi_row(kpi, selectors.latest_results_of(kpi), columns, today,
                            achievement.fiscal_year_of(today, plan.fiscal_year_start_month), selectors.bands())
    may_update = permissions.may_update_kpi(request.user, kpi)
    metric = providers.metric(kpi.metric) if kpi.metric else None
    context = {
        "plan": plan, "kpi": kpi, "row": row, "metric": metric,
        "figures": list(zip([_column_label(f, last) for f, last in columns], row.years, strict=True)),
        "chart": charts.trend_svg(chart_id=f"kpi-{kpi.code}", title=kpi.name, description=selectors.takeaway(row),
                                  figures=row.years, stages=kpi.stages or None),
        "history": selectors.kpi_history(kpi),
        "notes": selectors.notes_for(kpi, include_drafts=permissions.may_see_draft_notes(request.user, kpi)),
        "may_update": may_update, "may_review": permissions.may_review_notes(request.user),
    }
    if may_update:
        context["result_form"] = ResultForm(kpi=kpi, years=_year_choices(plan), initial={
            "fiscal_year": achievement.fiscal_year_of(today, plan.fiscal_year_start_month), "as_of": today})
        context["note_form"] = NoteForm()
        context["year_choices"] = _year_choices(plan)
    if permissions.may_administer_plan(request.user) and kpi.saved_against_baseline:
        context["baseline_form"] = BaselineForm(initial={"baseline": kpi.baseline})
    return render(request, "kpi/kpi.html", context)


def _owner_post(request, code: str):
    plan = _plan_or_404()
    kpi = _kpi_or_404(plan, code)
    if not permissions.may_update_kpi(request.user, kpi):
        raise Http404  # not theirs: say nothing about it
    return plan, kpi


def _say_errors(request, error: ValidationError) -> None:
    for problems in error.message_dict.values():
        for problem in problems:
            messages.error(request, problem)


@login_required
@require_POST
def record_result(request, code: str):
    plan, kpi = _owner_post(request, code)
    form = ResultForm(request.POST, kpi=kpi, years=_year_choices(plan))
    if not form.is_valid():
        for field, problems in form.errors.items():
            for problem in problems:
                messages.error(request, f"{form.fields[field].label if field in form.fields else field}: {problem}")
        return redirect("kpi:kpi", code=code)
    try:
        actions.record_result(kpi, fiscal_year=form.cleaned_data["fiscal_year"], value=form.cleaned_data["value"],
                              as_of=form.cleaned_data["as_of"], note=form.cleaned_data["note"],
                              evidence_url=form.cleaned_data["evidence_url"], acting_user=request.user)
    except ValidationError as error:
        _say_errors(request, error)
        return redirect("kpi:kpi", code=code)
    messages.success(request, _("The result was recorded."))
    return redirect("kpi:kpi", code=code)


@login_required
@require_POST
def write_note(request, code: str, year: int):
    _plan, kpi = _owner_post(request, code)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long."))
        return redirect("kpi:kpi", code=code)
    try:
        actions.write_note(kpi, fiscal_year=year, analysis=form.cleaned_data["analysis"],
                           improvement=form.cleaned_data["improvement"], acting_user=request.user)
    except ValidationError as error:
        _say_errors(request, error)
    else:
        messages.success(request, _("The note was saved as a draft for review."))
    return redirect("kpi:kpi", code=code)


@login_required
@require_POST
def review_note(request, code: str, year: int):
    plan = _plan_or_404()
    kpi = _kpi_or_404(plan, code)
    if not permissions.may_review_notes(request.user):
        raise Http404
    note = Note.objects.filter(kpi=kpi, fiscal_year=year).first()
    if note is None:
        raise Http404
    try:
        actions.set_note_stage(note, stage=request.POST.get("stage", ""), acting_user=request.user)
    except ValidationError as error:
        _say_errors(request, error)
    else:
        messages.success(request, _("The review was recorded."))
    return redirect("kpi:kpi", code=code)


@login_required
@require_POST
def set_baseline(request, code: str):
    plan = _plan_or_404()
    kpi = _kpi_or_404(plan, code)
    if not permissions.may_administer_plan(request.user):
        raise Http404
    form = BaselineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the baseline as a number of minutes."))
        return redirect("kpi:kpi", code=code)
    try:
        actions.set_baseline(kpi, baseline=form.cleaned_data["baseline"], acting_user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The baseline was recorded; the result is recomputed."))
    return redirect("kpi:kpi", code=code)


@login_required
def my_kpis(request):
    plan = _plan_or_404()
    rows = selectors.kpis_to_update(request.user, plan, timezone.localdate())
    return render(request, "kpi/mine.html", {"plan": plan, "rows": rows})


def plan_csv(request):
    plan = _plan_or_404()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{plan.code}-kpi.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with the BOM
    writer = csv_writer(response)
    for line in opendata.plan_rows(plan, timezone.localdate()):
        writer.writerow(line)
    return response


def plan_json(request):
    plan = _plan_or_404()
    return JsonResponse(opendata.plan_document(plan, timezone.localdate()),
                        json_dumps_params={"ensure_ascii": False, "indent": 1})


def plan_xlsx(request):
    plan = _plan_or_404()
    response = HttpResponse(reports.plan_workbook(plan, timezone.localdate()),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{plan.code}-kpi.xlsx"'
    return response


def evaluation_pdf(request, number: int):
    """評価調書 of one 基本目標 for a fiscal year (?year=2025; default this year). Only reviewed notes are in it."""
    plan = _plan_or_404()
    goal = Goal.objects.filter(plan=plan, number=number).first()
    if goal is None:
        raise Http404
    today = timezone.localdate()
    year = request.GET.get("year", "")
    year_number = int(year) if year.isdigit() else achievement.fiscal_year_of(today, plan.fiscal_year_start_month)
    if not plan.first_year <= year_number <= plan.last_year:
        raise Http404("the plan has no such fiscal year")
    response = HttpResponse(reports.evaluation_pdf(plan, goal, year_number, today), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{plan.code}-goal{number}-{year_number}.pdf"'
    return response


@login_required
@require_POST
def import_results(request):
    """CSV in the same format as the export: the rows' 結果 cells become manual results (owner or admin only)."""
    plan = _plan_or_404()
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return redirect("kpi:plan")
    try:
        count = opendata.import_results(plan, upload, acting_user=request.user)
    except opendata.ImportProblems as problems:
        for problem in problems.problems[:20]:
            messages.error(request, problem)
        return redirect("kpi:plan")
    messages.success(request, _("%(n)d results were recorded.") % {"n": count})
    return redirect("kpi:plan")

