"""The public lifelines page and the staff pages where HQ and partners enter status. No JavaScript needed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from toki.areas.selectors import default_municipality
from toki.lifelines import permissions, selectors
from toki.lifelines.actions import report_status, save_lifeline
from toki.lifelines.forms import LifelineForm, StatusReportForm
from toki.lifelines.models import Lifeline


def index(request):
    """Every lifeline, grouped by kind, newest change first within each kind."""
    municipality = default_municipality()
    lifelines = list(selectors.lifelines_for_public(municipality))
    return render(request, "lifelines/index.html", {
        "groups": selectors.grouped_by_kind(lifelines),
        "disrupted": [ll for ll in lifelines if ll.is_disrupted],
    })


def _staff_municipality(request):
    municipality = default_municipality()
    if municipality is None or not permissions.may_manage_lifelines(request.user):
        raise Http404
    return municipality


def _get_lifeline(request, municipality, pk: int) -> Lifeline:
    try:
        return selectors.get_lifeline_for_user(request.user, municipality, pk)
    except Lifeline.DoesNotExist:
        raise Http404 from None


@login_required
def manage(request):
    municipality = _staff_municipality(request)
    lifelines = list(selectors.lifelines_for_staff(request.user, municipality))
    return render(request, "lifelines/manage.html", {
        "groups": selectors.grouped_by_kind(lifelines), "is_hq": permissions.is_lifeline_hq(request.user),
    })


@login_required
def update_status(request, pk: int):
    municipality = _staff_municipality(request)
    lifeline = _get_lifeline(request, municipality, pk)
    form = StatusReportForm(request.POST or None, lifeline=lifeline)
    if request.method == "POST" and form.is_valid():
        try:
            report_status(acting_user=request.user, lifeline=lifeline, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Status of %(name)s saved.") % {"name": lifeline.name})
            return redirect("lifelines:manage")
    return render(request, "lifelines/update_status.html", {
        "lifeline": lifeline, "form": form, "history": selectors.history_of(lifeline),
        "is_hq": permissions.is_lifeline_hq(request.user),
    })


def _edit(request, municipality, lifeline: Lifeline | None):
    if not permissions.is_lifeline_hq(request.user):
        raise Http404
    form = LifelineForm(request.POST or None, municipality=municipality, lifeline=lifeline)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_lifeline(acting_user=request.user, municipality=municipality, lifeline=lifeline,
                                  **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Lifeline %(name)s saved.") % {"name": saved.name})
            return redirect("lifelines:update_status", pk=saved.pk)
    return render(request, "lifelines/lifeline_form.html", {"form": form, "lifeline": lifeline})


@login_required
def create(request):
    return _edit(request, _staff_municipality(request), None)


@login_required
def edit(request, pk: int):
    municipality = _staff_municipality(request)
    return _edit(request, municipality, _get_lifeline(request, municipality, pk))
