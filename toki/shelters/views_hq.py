"""Staff pages across shelters: supply requests (shelter → HQ), duplicate candidates, person search, the
shelter master edit (HQ)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.shelters import forms, selectors
from toki.shelters.actions import households as household_actions
from toki.shelters.actions.errors import NotAllowed
from toki.shelters.actions.master import update_shelter_details
from toki.shelters.actions.supplies import answer_supply_request, request_supplies
from toki.shelters.models import Household
from toki.shelters.permissions import may_answer_supply_requests, may_search_people, may_use_shelter_ops


@login_required
def supplies(request):
    if not may_use_shelter_ops(request.user):
        raise Http404
    requests = list(selectors.supply_requests_for(request.user)[:200])
    return render(request, "shelters/supplies.html", {
        "requests": requests, "is_hq": may_answer_supply_requests(request.user),
        "answer_form": forms.SupplyAnswerForm()})


@login_required
def new_supply_request(request, pk: int):
    opening = selectors.get_opening_for_user(request.user, pk, manage=True)
    form = forms.SupplyRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_supplies(acting_user=request.user, opening=opening, items=form.cleaned_data["items"],
                             urgency=form.cleaned_data["urgency"], note=form.cleaned_data["note"])
        except NotAllowed:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your request was sent to HQ."))
            return redirect("shelters_opening", pk)
    return render(request, "shelters/supply_form.html", {"opening": opening, "form": form})


@login_required
@require_POST
def answer_supplies(request, request_id: int):
    if not may_answer_supply_requests(request.user):
        raise Http404
    supply_request = get_object_or_404(selectors.supply_requests_for(request.user), pk=request_id)
    form = forms.SupplyAnswerForm(request.POST)
    if form.is_valid():
        try:
            answer_supply_request(acting_user=request.user, request=supply_request, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Answer saved."))
    return redirect("shelters_supplies")


@login_required
def duplicates(request):
    if not may_search_people(request.user):
        raise Http404
    reviews = selectors.duplicate_reviews_for(request.user)
    household_actions.record_read(acting_user=request.user, what="duplicates", count=len(reviews))
    return render(request, "shelters/duplicates.html", {
        "reviews": reviews, "disclosure_labels": dict(Household.Disclosure.choices)})


@login_required
@require_POST
def resolve_duplicate(request, candidate_id: int):
    candidate = get_object_or_404(selectors.duplicate_candidates_for(request.user), pk=candidate_id)
    try:
        if request.POST.get("decision") == "merge":
            kept = household_actions.merge_duplicate(acting_user=request.user, candidate=candidate)
            messages.success(request, _("Merged into one person. Safety information: %(choice)s") % {
                "choice": kept.household.get_disclosure_display()})
        else:
            household_actions.dismiss_duplicate(acting_user=request.user, candidate=candidate)
            messages.success(request, _("Kept as two people."))
    except NotAllowed:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("shelters_duplicates")


@login_required
def search(request):
    """Find a person across shelters (exact name key). Audited: who searched, how many results, no terms."""
    if not may_search_people(request.user):
        raise Http404
    form = forms.PersonSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = selectors.search_people(request.user, **form.cleaned_data)
        household_actions.record_read(acting_user=request.user, what="person_search", count=len(results),
                                      with_birth_date=bool(form.cleaned_data.get("birth_date")))
    return render(request, "shelters/search.html", {"form": form, "results": results})


@login_required
def edit_shelter(request, shelter_id: int):
    shelter = selectors.get_shelter_to_edit(request.user, shelter_id)
    form = forms.ShelterDetailsForm(request.POST or None, instance=shelter)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.Meta.fields} | {"translations": form.translations()}
        shelter.refresh_from_db()  # the ModelForm wrote the values onto the instance; the action compares
        try:
            update_shelter_details(acting_user=request.user, shelter=shelter, **values)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("shelters_index")
    return render(request, "shelters/shelter_form.html", {"shelter": shelter, "form": form})
