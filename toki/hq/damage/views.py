"""Damage pages: the incident dashboard, filing and correcting reports, 第N報 and their downloads. Every page
works without JavaScript (the map click is an enhancement over the address and district fields)."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.hq.damage import actions, permissions, selectors
from toki.hq.damage.aggregate import from_snapshot
from toki.hq.damage.definition import current_language, localized
from toki.hq.damage.excel import workbook_bytes
from toki.hq.damage.forms import NOTE_FIELDS, CorrectionForm, IssueForm, ReportForm, raise_into
from toki.hq.selectors import incidents_for

PAGE_SIZE = 50


def _readable_incident(request, incident_pk):
    return selectors.incident_for_user(request.user, incident_pk)




@login_required
def index(request):
    if not permissions.may_read(request.user):
        raise Http404
    incidents = incidents_for(request.user).order_by("ended_at", "-started_at")
    return render(request, "damage/index.html", {"incidents": incidents})


@login_required
def dashboard(request, incident_pk: int):
    incident = _readable_incident(request, incident_pk)
    aggregate = selectors.live_aggregate(incident)
    reports = selectors.reports_of(request.user, incident)
    district = request.GET.get("district", "")
    if district:
        reports = reports.filter(district__code=district)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    language = current_language()
    if aggregate is not None:
        labels = {c: localized(spec["label"], language)
                  for c, spec in aggregate.definition.categories.items()}
        for report in page:
            report.category_label = labels.get(report.category, report.category)
    show_all = request.GET.get("all") == "1"
    rows = aggregate.rows(language=language) if aggregate else []
    if not show_all:
        shown = [row for row in rows if row["total"] or row["now"]]
        hidden, rows = len(rows) - len(shown), shown
    else:
        hidden = 0
    return render(request, "damage/dashboard.html", {
        "incident": incident, "aggregate": aggregate, "page": page, "district": district,
        "rows": rows, "show_all": show_all, "hidden_rows": hidden,
        "may_file": permissions.may_file_somewhere(request.user), "may_issue": permissions.may_issue(request.user),
    })


@login_required
def new_report(request, incident_pk: int):
    incident = _readable_incident(request, incident_pk)
    definition = selectors.active_definition()
    if definition is None:  # a page that says what to do, not a 404 (the dashboard links here)
        return render(request, "damage/choose_category.html", {"incident": incident, "no_form": True})
    categories = selectors.filing_categories(request.user, definition)
    if not categories:
        raise Http404
    category = request.GET.get("category") or request.POST.get("category")
    if category not in {c["id"] for c in categories}:
        language = current_language()
        return render(request, "damage/choose_category.html", {"incident": incident, "categories": [
            (c["id"], localized(c["label"], language)) for c in categories]})
    districts = selectors.filing_districts(request.user, incident)
    form = ReportForm(request.POST or None, request.FILES or None, definition=definition, category=category,
                      districts=districts, initial={"district": _only(districts)})
    if request.method == "POST" and form.is_valid():
        try:
            photo = form.cleaned_data["photo"]
            report = actions.file_report(acting_user=request.user, incident=incident, category=category,
                                         counts=form.counts(), photos=[photo] if photo else [],
                                         **form.place_kwargs())
        except PermissionDenied:
            form.add_error("district", _("You may not file reports of this kind in this district."))
        except ValidationError as exc:
            raise_into(form, exc)
        else:
            messages.success(request, _("Report filed."))
            return redirect("damage:report", report.pk)
    label = definition.definition.categories[category]["label"]
    return render(request, "damage/report_form.html", {
        "incident": incident, "form": form, "category": category, "map_districts": map_districts(districts),
        "category_label": localized(label, current_language()), "correcting": None})


def _only(districts):
    """The district of a branch office that files for one district only (preselected), else None."""
    first_two = list(districts.values_list("pk", flat=True)[:2])
    return first_two[0] if len(first_two) == 1 else None


def map_districts(districts) -> list[dict]:
    """The districts one may file for, with their outlines, for the place map: it draws them, so it shows where
    one may click even without map tiles (offline, or a tile server that is down)."""
    return [{"id": d.pk, "name": d.name, "boundary": d.boundary, "centre": [d.centre_lat, d.centre_lon]}
            for d in districts]


def _version_rows(report, versions):
    spec = report.definition.definition
    language = current_language()
    out = []
    for version in versions:
        counts = []
        for count in sorted(version.counts.all(), key=lambda c: [i.id for i in spec.items].index(c.item)
                            if c.item in spec.by_id else 999):
            item = spec.by_id.get(count.item)
            unit = spec.units[item.unit] if item else {}
            counts.append({"label": item.text("label", language) if item else count.item, "value": count.value,
                           "unit": localized(unit, language)})
        out.append({"version": version, "counts": counts})
    return out


@login_required
def report_detail(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    versions = list(selectors.versions_of(report))
    current = versions[0]
    return render(request, "damage/report_detail.html", {
        "report": report, "incident": report.incident, "current": current,
        "history": _version_rows(report, versions),
        "category_label": report.definition.definition.categories.get(report.category, {}).get("label", {}),
        "may_correct": permissions.grant_for(request.user, current.district, report.category) is not None,
        "may_confirm": permissions.may_confirm(request.user),
        "photos": [p for v in versions for p in v.photos.all()],
    })


@login_required
def correct_report(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    current = report.current_version
    if permissions.grant_for(request.user, current.district, report.category) is None:
        raise Http404
    initial = {"district": current.district_id, "latitude": current.latitude, "longitude": current.longitude,
               "address": current.address, "text": current.text}
    form = CorrectionForm(request.POST or None, request.FILES or None, definition=report.definition,
                          category=report.category, districts=selectors.filing_districts(request.user, report.incident),
                          initial=initial, initial_counts=dict(current.counts.values_list("item", "value")))
    if request.method == "POST" and form.is_valid():
        try:
            photo = form.cleaned_data["photo"]
            actions.correct_report(acting_user=request.user, report=report, counts=form.counts(),
                                   reason=form.cleaned_data["reason"], photos=[photo] if photo else [],
                                   observed_at=timezone.now() if form.cleaned_data["is_change"] else None,
                                   **form.place_kwargs())
        except PermissionDenied:
            form.add_error("district", _("You may not file reports of this kind in this district."))
        except ValidationError as exc:
            raise_into(form, exc)
        else:
            messages.success(request, _("Correction saved as a new version."))
            return redirect("damage:report", report.pk)
    label = report.definition.definition.categories[report.category]["label"]
    return render(request, "damage/report_form.html", {
        "incident": report.incident, "form": form, "category": report.category,
        "map_districts": map_districts(selectors.filing_districts(request.user, report.incident)),
        "category_label": localized(label, current_language()), "correcting": report})


@login_required
@require_POST
def confirm_report(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    try:
        actions.confirm_report(acting_user=request.user, report=report)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Report confirmed."))
    return redirect("damage:report", report.pk)


@login_required
def photo(request, pk: int):
    """A report photo, only to those who may read the report (never a public media URL)."""
    item = selectors.get_photo_for_user(request.user, pk)
    if not default_storage.exists(item.file.name):
        raise Http404
    response = FileResponse(default_storage.open(item.file.name), content_type=mimetypes.types_map[".jpg"])
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def issued_list(request, incident_pk: int):
    incident = _readable_incident(request, incident_pk)
    may_issue = permissions.may_issue(request.user)
    form = IssueForm(request.POST or None, initial={"reporter_name": str(request.user)})
    if request.method == "POST":
        if not may_issue:
            raise Http404
        if form.is_valid():
            try:
                issued = actions.issue_report(acting_user=request.user, incident=incident,
                                              reporter_name=form.cleaned_data["reporter_name"], notes=form.notes())
            except ValidationError as exc:
                raise_into(form, exc)
            else:
                messages.success(request, _("Report no. %(number)s issued.") % {"number": issued.number})
                return redirect("damage:issued", incident.pk, issued.number)
    return render(request, "damage/issued_list.html", {
        "incident": incident, "issued": selectors.issued_reports_of(request.user, incident),
        "may_issue": may_issue, "form": form,
        "first_report_due": incident.started_at + timezone.timedelta(minutes=30),
    })


def _issued(request, incident_pk, number):
    incident = _readable_incident(request, incident_pk)
    issued = selectors.get_issued_for_user(request.user, incident, number)
    issued.incident = incident
    return issued, from_snapshot(issued.snapshot, issued.definition.definition)


@login_required
def issued_detail(request, incident_pk: int, number: int):
    issued, aggregate = _issued(request, incident_pk, number)
    language = current_language()
    return render(request, "damage/issued_detail.html", {
        "incident": issued.incident, "issued": issued, "aggregate": aggregate,
        "part1": aggregate.rows(1, language), "part2": aggregate.rows(2, language),
        "groups": {g["id"]: localized(g["label"], language) for g in aggregate.definition.groups},
        "notes": [(label, issued.notes.get(key, "")) for key, label in NOTE_FIELDS],
    })


@login_required
def issued_xlsx(request, incident_pk: int, number: int):
    issued, aggregate = _issued(request, incident_pk, number)
    content = workbook_bytes(issued, aggregate)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    drill = "drill-" if issued.is_drill else ""
    response["Content-Disposition"] = f'attachment; filename="{drill}damage-{issued.incident.pk}-{number}.xlsx"'
    return response


@login_required
def trace(request, incident_pk: int, number: int, item: str):
    """Where one number of an issued report comes from: the report versions and their values."""
    issued, aggregate = _issued(request, incident_pk, number)
    spec = aggregate.definition
    if item not in spec.by_id:
        raise Http404
    district = request.GET.get("district", "")
    if district and district not in aggregate.district_names:
        raise Http404
    sources = (aggregate.district_sources or {}).get((district, item), []) if district else (
        aggregate.sources or {}).get(item, [])
    entered = spec.sources_of(item)
    counts = selectors.source_counts(sources, entered)
    language = current_language()
    return render(request, "damage/trace.html", {
        "incident": issued.incident, "issued": issued, "item": spec.by_id[item],
        "label": spec.by_id[item].text("label", language), "district": district,
        "district_name": aggregate.district_names.get(district, ""),
        "value": aggregate.by_district[district][item] if district else aggregate.totals[item],
        "counts": counts, "labels": {i: spec.by_id[i].text("label", language) for i in entered},
        "version_count": len(set(sources)), "peak_at": aggregate.peak_at.get(item),
    })
