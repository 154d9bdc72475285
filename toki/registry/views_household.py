"""Registry officers link a person on the register to the household tablet (community app) that answers 安否確認
for them, or unlink them. The page shows the person by number and district only (no personal value: the names
are on the 安否 lists, where each look is logged)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from toki.community.selectors import households_for_staff
from toki.registry import actions_safety
from toki.registry.forms import HouseholdLinkForm
from toki.registry.models import HouseholdLink, Person
from toki.registry.permissions import is_registry_officer
from toki.registry.views import render_registry


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_household(request, person_id: int):
    if not is_registry_officer(request.user):
        raise Http404
    person = get_object_or_404(Person.objects.select_related("district").only("id", "district"), pk=person_id)
    households = households_for_staff(request.user).filter(district_id=person.district_id)
    form = HouseholdLinkForm(request.POST if request.POST.get("op") == "link" else None, households=households)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("op") == "unlink":
                actions_safety.unlink_household(actor=request.user, person=person)
                return redirect("registry:person_household", person_id=person.pk)
            if form.is_valid():
                actions_safety.link_household(actor=request.user, person=person,
                                              household_id=form.cleaned_data["household"].pk)
                return redirect("registry:person_household", person_id=person.pk)
        except ValueError as refused:
            errors.append(str(refused))
    link = HouseholdLink.objects.filter(person=person).first()
    linked = households.filter(pk=link.household_id).first() if link is not None else None
    return render_registry(request, "registry/person_household.html", {
        "person": person, "link": link, "linked": linked, "form": form, "errors": errors},
        status=400 if request.method == "POST" else 200)
