"""Chronology pages: the log with filters and the hand-entry form, annotations, CSV export, printable page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.hq import selectors
from toki.hq.actions import chronology as chronology_actions
from toki.hq.forms import AnnotationForm, ChronologyFilterForm, ChronologyForm
from toki.hq.permissions import may_write_chronology
from toki.hq.views.common import form_error
from toki.lib.spreadsheet import csv_writer

PAGE = 300
EXPORT_MAX = 20000


def _filtered(request, incident):
    filters = ChronologyFilterForm(request.GET or None, municipality=incident.municipality)
    category, district = "", None
    if filters.is_valid():
        category, district = filters.cleaned_data["category"], filters.cleaned_data["district"]
    entries = selectors.chronology_for(request.user, incident, category=category, district=district)
    return filters, entries


@login_required
def chronology(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    can_write = may_write_chronology(request.user)
    form = ChronologyForm(request.POST or None, municipality=incident.municipality)
    if request.method == "POST":
        if not can_write:
            raise Http404
        if form.is_valid():
            try:
                chronology_actions.write_entry(acting_user=request.user, incident=incident, **form.cleaned_data)
            except ValidationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Entry added to the chronology."))
                return redirect("hq:chronology", pk=incident.pk)
    filters, entries = _filtered(request, incident)
    return render(request, "hq/chronology.html", {
        "incident": incident, "entries": list(entries[:PAGE]), "filters": filters, "form": form,
        "can_write": can_write, "query": request.GET.urlencode(), "annotation_form": AnnotationForm(),
    })


@login_required
@require_POST
def annotate(request, pk, entry_pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    entry = selectors.get_entry_for_user(request.user, incident, entry_pk)
    form = AnnotationForm(request.POST)
    if form.is_valid():
        try:
            chronology_actions.annotate_entry(acting_user=request.user, entry=entry, text=form.cleaned_data["text"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Annotation added."))
    else:
        if not may_write_chronology(request.user):
            raise Http404
        messages.error(request, _("Write the annotation."))
    return redirect(reverse("hq:chronology", kwargs={"pk": incident.pk}) + f"#entry-{entry.pk}")


CSV_COLUMNS = ("time", "from", "to", "content", "category", "district", "source", "written by", "annotations")


@login_required
def chronology_csv(request, pk):
    """UTF-8 with a BOM (Excel opens it as UTF-8), oldest first, in the paper column order; a drill's file is
    named and headed 訓練."""
    incident = selectors.get_incident_for_user(request.user, pk)
    _filters, entries = _filtered(request, incident)
    name = f"chronology-{incident.pk}{'-drill' if incident.is_drill else ''}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv_writer(response)
    if incident.is_drill:
        writer.writerow(["【訓練】 " + incident.name])
    writer.writerow(["時間", "発信者", "受信者", "内容", "分野", "地域", "出典", "記入者", "注記"])
    for entry in reversed(list(entries[:EXPORT_MAX])):
        writer.writerow([
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M"), entry.sender, entry.recipient, entry.content,
            entry.get_category_display(), entry.district.name if entry.district else "",
            f"{entry.source_type}:{entry.source_id}" if entry.source_type else "",
            str(entry.created_by) if entry.created_by else _("system"),
            " / ".join(f"{timezone.localtime(a.created_at):%m-%d %H:%M} {a.text}" for a in entry.annotations.all()),
        ])
    return response


@login_required
def chronology_print(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    filters, entries = _filtered(request, incident)
    return render(request, "hq/chronology_print.html", {
        "incident": incident, "entries": list(reversed(list(entries[:EXPORT_MAX]))), "filters": filters,
        "printed_at": timezone.now()})
