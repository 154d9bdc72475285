"""安否確認 pages: the rounds, a round's counts per district, the live list of one district (those not yet
confirmed first, the next rung of the ladder), and recording an answer, an attempt or a shelter match's
confirmation. Officers open and close rounds; recipients see and record only the people they may see."""

from contextlib import suppress

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from toki.areas.selectors import default_municipality_or_404
from toki.registry import actions_safety, selectors, selectors_safety
from toki.registry.forms import OpenRoundForm, SafetyForm
from toki.registry.models import SafetyStatus
from toki.registry.permissions import is_registry_officer, may_use_registry
from toki.registry.views import render_registry


def _round_or_404(request, pk: int):
    round_ = selectors_safety.get_round_for(request.user, pk)
    if round_ is None:
        raise Http404
    return round_


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rounds(request):
    if not may_use_registry(request.user):
        raise Http404
    officer = is_registry_officer(request.user)
    form = OpenRoundForm(request.POST or None, municipality=default_municipality_or_404()) if officer else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            round_ = actions_safety.open_round(actor=request.user, municipality=default_municipality_or_404(),
                                               districts=form.cleaned_data["districts"],
                                               is_drill=form.cleaned_data["is_drill"])
            return redirect("registry:safety_round", pk=round_.pk)
    return render_registry(request, "registry/safety_rounds.html", {
        "form": form, "rounds": selectors_safety.rounds_for(request.user)},
        status=400 if request.method == "POST" else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def round_page(request, pk: int):
    round_ = _round_or_404(request, pk)
    if request.method == "POST":
        if not is_registry_officer(request.user):
            raise Http404
        with suppress(ValueError):  # already closed: the page says so
            actions_safety.close_round(actor=request.user, round_=round_)
        return redirect("registry:safety_round", pk=pk)
    mine = {d.pk for d in selectors.districts_for(request.user, default_municipality_or_404())}
    counts = selectors_safety.safety_counts(round_)
    return render_registry(request, "registry/safety_round.html", {
        "round": round_, "counts": counts, "officer": is_registry_officer(request.user),
        "districts": [d for d in round_.districts.all() if d.pk in mine]})


@never_cache
@login_required
def round_district(request, pk: int, district_id: int):
    round_ = _round_or_404(request, pk)
    allowed = {d.pk: d for d in selectors.districts_for(request.user, default_municipality_or_404())}
    if district_id not in allowed:
        raise Http404
    lines = selectors_safety.safety_list(request.user, round_, district_id, purpose="disaster_response")
    return render_registry(request, "registry/safety_district.html", {
        "round": round_, "district": allowed[district_id], "lines": lines, "form": SafetyForm(),
        "officer": is_registry_officer(request.user)})


@never_cache
@login_required
@require_POST
def record(request, pk: int, person_id: int):
    round_ = _round_or_404(request, pk)
    row = SafetyStatus.objects.filter(round=round_, person_id=person_id).first()
    if row is None or not actions_safety.may_record_for(request.user, row.person_id, row.district_id):
        raise Http404
    try:
        if request.POST.get("op") == "confirm":
            actions_safety.confirm_match(actor=request.user, status_row=row)
        else:
            form = SafetyForm(request.POST)
            if not form.is_valid():
                return render_registry(request, "registry/safety_error.html", {
                    "round": round_, "district_id": row.district_id, "errors": form.errors}, status=400)
            actions_safety.record_safety(actor=request.user, status_row=row, **form.cleaned_data)
    except (ValueError, PermissionDenied) as refused:
        return render_registry(request, "registry/safety_error.html", {
            "round": round_, "district_id": row.district_id, "errors": {"": [str(refused)]}}, status=400)
    return redirect("registry:safety_district", pk=pk, district_id=row.district_id)
