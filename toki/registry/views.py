"""Staff pages of the register (a first, minimal part): the districts a user may open, and one district's list
with only the people and fields the user may see now. Thin: permission and logging live in the selectors.

Nothing personal goes into a URL (district ids and a purpose code only); every page is `no-store`; the purpose
of a look is asked before any data is shown, and logged with each person shown."""

from datetime import date
from html import escape

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality_or_404
from toki.registry import exports, selectors
from toki.registry.labels import value_label
from toki.registry.models import PERSON_FIELDS, Export, Person
from toki.registry.permissions import may_declare_activation, may_use_registry

PARTS = ("kind", "grade", "name", "relation", "phone")  # of a disability or an emergency contact, in reading order


def _shown(value) -> str:
    """One cell: lists joined (contacts as "name relation phone"), dates in ISO, nothing for empty."""
    if isinstance(value, list):
        return "; ".join(" ".join(str(item[key]) for key in PARTS if key in item) if isinstance(item, dict)
                         else str(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def table_body(rows: list[list[str]]) -> SafeString:
    """The <tr> rows of a list, every cell escaped. Built here rather than by two nested template loops: for 500
    people × 13 fields the template engine took longer than decrypting them (docs/benchmarks.md, issue 16 part 2)."""
    return mark_safe("".join(  # noqa: S308 — every cell goes through html.escape just above
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>\n" for row in rows))


def render_registry(request, template: str, context: dict, status: int = 200):
    """Every registry page shows the live disaster activations (第49条の11第3項) in a banner."""
    return render(request, template, {**context, "activations": selectors.live_activations(),
                                      "may_declare": may_declare_activation(request.user)}, status=status)


def _require_registry_user(request):
    if not may_use_registry(request.user):
        raise Http404


def district_or_404(request, district_id: int):
    """A district whose list the registry user may open, or 404 (also for anyone not a registry user)."""
    _require_registry_user(request)
    found = next((d for d in selectors.districts_for(request.user, default_municipality_or_404())
                  if d.pk == district_id), None)
    if found is None:
        raise Http404
    return found

@never_cache
@login_required
def index(request):
    _require_registry_user(request)
    districts = selectors.districts_for(request.user, default_municipality_or_404())
    return render_registry(request, "registry/index.html", {"districts": districts, "purposes": selectors.PURPOSES})

@never_cache
@login_required
def district(request, district_id: int):
    found = district_or_404(request, district_id)
    purpose = request.GET.get("purpose", "")
    if purpose not in selectors.PURPOSES:  # ask why before showing anyone
        return render_registry(request, "registry/purpose.html", {"district": found,
                                                         "purposes": selectors.PURPOSES})
    people = selectors.district_list(request.user, district_id, purpose=purpose)
    labels, rows = _table(people)
    return render_registry(request, "registry/district.html", {
        "district": found, "purpose": purpose, "labels": labels, "body": table_body(rows),
        "count": len(rows), "export_kinds": Export.Kind.choices})


def _table(people) -> tuple[list, list[list[str]]]:
    """The column labels and the cells of a list (only the fields some row may show)."""
    shown = [name for name in PERSON_FIELDS if any(name in view.values for view in people)]
    labels = {f.name: f.verbose_name for f in Person._meta.concrete_fields}
    return [labels[n] for n in shown], [[_shown(value_label(name, view.values.get(name))) for name in shown]
                                        for view in people]


@never_cache
@login_required
@require_POST
def export(request, district_id: int):
    """Make a numbered, expiring print or CSV of the list (asked with the purpose, like the list)."""
    found = district_or_404(request, district_id)
    try:
        made = exports.create_export(actor=request.user, district=found,
                                     kind=request.POST.get("kind", ""), purpose=request.POST.get("purpose", ""))
    except ValueError as refused:
        return HttpResponseBadRequest(str(refused))
    return redirect("registry:export", pk=made.pk)


@never_cache
@login_required
def export_download(request, pk: int):
    found = exports.export_for(request.user, pk)
    if found is None:
        raise Http404
    try:
        found, people = exports.download(request.user, found)
    except ValueError:
        return render_registry(request, "registry/export_expired.html", {"export": found}, status=410)
    labels, rows = _table(people)
    if found.kind == Export.Kind.CSV:
        response = HttpResponse(exports.as_csv(found, [str(label) for label in labels], rows),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="registry-{found.pk}.csv"'
        return response
    return render(request, "registry/print.html", {"export": found, "mark": exports.watermark(found),
                                                   "labels": labels, "body": table_body(rows), "count": len(rows)})
