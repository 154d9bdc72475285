"""Staff pages of a shelter opening: list, open, status and crowding, the desk check-in, households, roster.

Thin views: permissions through selectors ("not yours" is a 404), changes through actions, every page showing
evacuee data recorded in the audit trail (record_read). Household ids (uuids) are the only ids in URLs."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality
from toki.shelters import forms, selectors
from toki.shelters.actions import openings as opening_actions
from toki.shelters.actions.errors import NotAllowed
from toki.shelters.actions.households import record_read
from toki.shelters.actions.sync import QR_PREFIX, apply_events, new_event
from toki.shelters.models import CARE_NEEDS, Household, OpeningStatus
from toki.shelters.permissions import (
    in_a_shelter_team,
    is_hq_manager,
    may_edit_shelter_master,
    may_manage_shelter,
    may_use_shelter_ops,
    may_use_tablet,
)

DESK = "desk"


def _require_staff(request):
    if not may_use_shelter_ops(request.user):
        raise Http404


def _opening(request, pk, *, manage=False):
    return selectors.get_opening_for_user(request.user, pk, manage=manage)


@login_required
def index(request):
    """The openings, the way to open one and, before anything is open, what to do (issue 14 item 9): a shelter
    team whose shelter is not linked yet, or with no incident to open for, is told so rather than shown a 404."""
    if not may_use_shelter_ops(request.user):
        if in_a_shelter_team(request.user):
            return render(request, "shelters/index.html", {"team_not_linked": True})
        raise Http404
    municipality = default_municipality()
    shelters = selectors.shelters_user_may_open(request.user)
    incidents = selectors.incidents_to_open_for(municipality) if municipality else None
    has_incident = incidents is not None and incidents.exists()
    open_form = None
    if has_incident and shelters.exists():
        open_form = forms.OpenShelterForm(shelters=shelters, incidents=incidents)
    is_hq = is_hq_manager(request.user)
    openings = list(selectors.working_openings_for(request.user))
    return render(request, "shelters/index.html", {
        "openings": openings, "open_form": open_form,
        "none_open": all(o.status == OpeningStatus.CLOSED for o in openings),
        "has_incident": has_incident, "my_shelters": [] if is_hq else list(shelters),
        "may_use_tablet": may_use_tablet(request.user), "is_hq": is_hq,
        "may_edit_master": may_edit_shelter_master(request.user)})


@login_required
@require_POST
def open_shelter(request):
    _require_staff(request)
    municipality = default_municipality()
    form = forms.OpenShelterForm(request.POST, shelters=selectors.shelters_user_may_open(request.user),
                                 incidents=selectors.incidents_to_open_for(municipality))
    if not form.is_valid():
        messages.error(request, _("Choose a shelter and an incident."))
        return redirect("shelters_index")
    try:
        opening = opening_actions.open_shelter(acting_user=request.user, **form.cleaned_data)
    except NotAllowed:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("shelters_index")
    messages.success(request, _("The shelter is open."))
    return redirect("shelters_opening", opening.pk)


@login_required
def opening_detail(request, pk: int):
    opening = _opening(request, pk)
    counts = selectors.opening_counts(opening)
    households = selectors.households_checked_in(opening)
    record_read(acting_user=request.user, what="opening", obj=opening, count=len(households))
    may_manage = may_manage_shelter(request.user, opening.shelter_id)
    return render(request, "shelters/opening.html", {
        "opening": opening, "counts": counts, "households": households, "may_manage": may_manage,
        "care_labels": [(CARE_NEEDS[code], n) for code, n in counts.care.items() if n],
        "expected": selectors.expected_households(opening).count(),
        "status_form": forms.StatusForm(initial={"status": opening.status}),
        "crowding_form": forms.CrowdingForm(initial={"crowding": opening.crowding_override}),
        "quick_form": forms.QuickCheckInForm(), "token_form": forms.TokenCheckInForm(),
        "checkout_form": forms.CheckOutForm(),
        "supply_requests": selectors.recent_supply_requests(opening),
    })


def _action(request, pk, func, **kwargs):
    opening = _opening(request, pk, manage=True)
    try:
        func(acting_user=request.user, opening=opening, **kwargs)
    except NotAllowed:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("shelters_opening", pk)


@login_required
@require_POST
def set_status(request, pk: int):
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        raise Http404
    return _action(request, pk, opening_actions.set_opening_status, status=form.cleaned_data["status"])


@login_required
@require_POST
def set_crowding(request, pk: int):
    form = forms.CrowdingForm(request.POST)
    if not form.is_valid():
        raise Http404
    return _action(request, pk, opening_actions.set_crowding, crowding=form.cleaned_data["crowding"])


@login_required
@require_POST
def confirm(request, pk: int):
    return _action(request, pk, opening_actions.confirm_status)


def _report(request, results) -> None:
    for result in results:
        if result["status"] == "rejected":
            messages.error(request, _("Not done: %(reason)s") % {"reason": result["error"]})
        elif "already_checked_in" in result.get("warnings", ()):
            messages.warning(request, _("Already checked in."))
        else:
            messages.success(request, _("Done."))


@login_required
@require_POST
def quick_check_in(request, pk: int):
    opening = _opening(request, pk, manage=True)
    form = forms.QuickCheckInForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("shelters_opening", pk)
    data = form.cleaned_data
    household_id = str(uuid.uuid4())
    first = {"id": str(uuid.uuid4()), "name_kana": data["name_kana"], "name": data["name"],
             "birth_date": data["birth_date"].isoformat() if data["birth_date"] else None}
    members = [first] + [{"id": str(uuid.uuid4())} for _i in range(data["people"] - 1)]
    results = apply_events(acting_user=request.user, opening=opening, device_id=DESK, source=Household.Source.DESK,
                           events=[new_event("register_household", {"household_id": household_id,
                                                                    "members": members}),
                                   new_event("check_in", {"household_id": household_id})])
    _report(request, results[1:] if results[0]["status"] == "applied" else results[:1])
    return redirect("shelters_opening", pk)


@login_required
@require_POST
def token_check_in(request, pk: int):
    opening = _opening(request, pk, manage=True)
    form = forms.TokenCheckInForm(request.POST)
    if not form.is_valid():
        return redirect("shelters_opening", pk)
    code = form.cleaned_data["code"].strip()
    payload = {"qr_token": code} if code.startswith(QR_PREFIX) else {"card_id": code}
    results = apply_events(acting_user=request.user, opening=opening, device_id=DESK, source=Household.Source.DESK,
                           events=[new_event("check_in", payload)])
    _report(request, results)
    if results[0]["status"] == "applied":
        return redirect("shelters_household", pk, results[0]["server_ids"]["household_id"])
    return redirect("shelters_opening", pk)


@login_required
@require_POST
def check_out(request, pk: int, household_id: uuid.UUID):
    opening = _opening(request, pk, manage=True)
    form = forms.CheckOutForm(request.POST)
    if not form.is_valid():
        raise Http404
    results = apply_events(acting_user=request.user, opening=opening, device_id=DESK, source=Household.Source.DESK,
                           events=[new_event("check_out", {"household_id": str(household_id),
                                                           **form.cleaned_data})])
    _report(request, results)
    return redirect("shelters_opening", pk)


@login_required
def household(request, pk: int, household_id: uuid.UUID):
    """The full 避難者カード of a household at this opening: view and edit (an update_household event)."""
    opening = _opening(request, pk, manage=True)
    found = selectors.get_household_for_user(request.user, opening, household_id)
    members = selectors.current_members(found)
    initial_members = [{"id": m.pk, "name": m.name, "name_kana": m.name_kana, "relation": m.relation, "sex": m.sex,
                        "birth_date": m.birth_date, "care_needs": m.care_needs, "allergies": m.allergies,
                        "care_notes": m.care_notes} for m in members]
    fields = list(forms.HouseholdForm.base_fields)
    form = forms.HouseholdForm(request.POST or None, initial={f: getattr(found, f) for f in fields})
    formset = forms.MemberFormSet(request.POST or None, initial=initial_members, prefix="m")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = []
        for member_form in formset:
            data = member_form.cleaned_data
            if not data or not any(v for k, v in data.items() if k not in ("id", "sex")):
                continue
            rows.append({**data, "id": str(data.get("id") or uuid.uuid4()),
                         "birth_date": data["birth_date"].isoformat() if data.get("birth_date") else None})
        results = apply_events(acting_user=request.user, opening=opening, device_id=DESK,
                               source=Household.Source.DESK, events=[new_event("update_household", {
                                   "household_id": str(found.pk), "fields": form.cleaned_data, "members": rows})])
        _report(request, results)
        return redirect("shelters_household", pk, found.pk)
    record_read(acting_user=request.user, what="household", obj=found, count=len(members))
    return render(request, "shelters/household.html", {
        "opening": opening, "household": found, "form": form, "formset": formset})


@login_required
def roster_print(request, pk: int):
    opening = _opening(request, pk)
    registrations = selectors.roster(opening)
    record_read(acting_user=request.user, what="roster_print", obj=opening, count=len(registrations))
    return render(request, "shelters/roster_print.html", {
        "opening": opening, "registrations": registrations, "counts": selectors.opening_counts(opening),
        "care_labels": CARE_NEEDS})
