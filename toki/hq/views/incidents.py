"""Incident pages: list, open, detail (HQ status over time, 災害救助法, districts), close."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality_or_404
from toki.hq import actions, selectors
from toki.hq.forms import DISSOLVE, CloseForm, DistrictsForm, HqStatusForm, IncidentForm, ReliefActForm
from toki.hq.permissions import may_give_instructions, may_manage_incidents, may_write_chronology
from toki.hq.views.common import form_error, require_staff


@login_required
def incident_list(request):
    require_staff(request)
    incidents = list(selectors.incidents_for(request.user).order_by("-started_at", "-pk")[:100])
    return render(request, "hq/incident_list.html", {
        "incidents": incidents, "can_manage": may_manage_incidents(request.user),
        "my_open": selectors.my_instructions(request.user).count(),
    })


@login_required
def incident_new(request):
    require_staff(request)
    if not may_manage_incidents(request.user):
        raise Http404
    municipality = default_municipality_or_404()
    form = IncidentForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = actions.open_incident(
                acting_user=request.user, municipality=municipality, name=data["name"], kind=data["kind"],
                started_at=data["started_at"], districts=data["districts"], is_drill=data["is_drill"],
                description=data["description"], hq_level=data["hq_level"] or None)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Incident opened."))
            return redirect("hq:incident", pk=incident.pk)
    return render(request, "hq/incident_new.html", {"form": form})


@login_required
def incident_detail(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    municipality = incident.municipality
    can_manage = may_manage_incidents(request.user) and incident.is_active
    return render(request, "hq/incident_detail.html", {
        "incident": incident, "statuses": list(incident.hq_statuses.all()),
        "can_manage": can_manage, "can_instruct": may_give_instructions(request.user),
        "can_write": may_write_chronology(request.user),
        "status_form": HqStatusForm(), "relief_form": ReliefActForm(initial={
            "applied_on": incident.relief_act_applied_on}),
        "districts_form": DistrictsForm(municipality=municipality,
                                        initial={"districts": list(incident.districts.all())}),
        "close_form": CloseForm(),
    })


def _manage(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    if not may_manage_incidents(request.user):
        raise Http404
    return incident


def _change(request, pk, form_class, apply, **form_kwargs):
    """The shape of every incident change posted from the incident page: check the role, validate the form, run
    the action with the cleaned data, and come back to the page with the outcome as a message."""
    incident = _manage(request, pk)
    form = form_class(request.POST, **{key: make(incident) for key, make in form_kwargs.items()})
    if form.is_valid():
        try:
            apply(incident, form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    if not form.errors:
        messages.success(request, _("Saved."))
    return redirect("hq:incident", pk=incident.pk)


@login_required
@require_POST
def incident_status(request, pk):
    def apply(incident, data):
        level = data["level"]
        actions.set_hq_status(acting_user=request.user, incident=incident,
                              level=None if level == DISSOLVE else level, at=data["at"])
    return _change(request, pk, HqStatusForm, apply)


@login_required
@require_POST
def incident_relief(request, pk):
    return _change(request, pk, ReliefActForm, lambda incident, data: actions.apply_relief_act(
        acting_user=request.user, incident=incident, applied_on=data["applied_on"]))


@login_required
@require_POST
def incident_districts(request, pk):
    return _change(request, pk, DistrictsForm, lambda incident, data: actions.set_affected_districts(
        acting_user=request.user, incident=incident, districts=data["districts"]),
        municipality=lambda incident: incident.municipality)


@login_required
@require_POST
def incident_close(request, pk):
    return _change(request, pk, CloseForm, lambda incident, data: actions.close_incident(
        acting_user=request.user, incident=incident, at=data["at"]))
