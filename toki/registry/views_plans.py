"""個別避難計画 pages: coverage per district, a district's people with their plan status, a plan (view, edit, A4
print), its supporters and their consent, and the supporters' map with its data endpoint.

Every page that shows a plan or a person asks why first (a purpose code carried in the query string, logged with
each look); nothing personal goes into a URL (ids and codes only); every page is `no-store`; anyone who may not
see something gets 404."""

import math

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from toki.areas.selectors import default_municipality_or_404
from toki.registry import actions_plans, selectors, selectors_plans
from toki.registry.forms_plans import PlanForm, SupporterConsentForm, SupporterForm
from toki.registry.models import AccessLog
from toki.registry.models_plans import Supporter
from toki.registry.permissions import may_use_registry
from toki.registry.views import district_or_404, render_registry
from toki.shelters.selectors import open_shelters_with_occupancy


def _require_registry_user(request) -> None:
    if not may_use_registry(request.user):
        raise Http404


def _purpose_or_ask(request, title: str):
    """The purpose code of the query string, or a page asking for it (None, page)."""
    purpose = request.GET.get("purpose", "")
    if purpose in selectors.PURPOSES:
        return purpose, None
    return None, render_registry(request, "registry/plans/purpose.html", {"title": title,
                                                                          "purposes": selectors.PURPOSES})


def _with_purpose(name: str, purpose: str, *args) -> str:
    return f"{reverse(name, args=args)}?{urlencode({'purpose': purpose})}"


@never_cache
@login_required
def index(request):
    _require_registry_user(request)
    districts = selectors.districts_for(request.user, default_municipality_or_404())
    rows = selectors_plans.coverage(districts)
    return render_registry(request, "registry/plans/index.html", {
        "rows": rows, "total": selectors_plans.total(rows), "purposes": selectors.PURPOSES})


@never_cache
@login_required
def district(request, district_id: int):
    found = district_or_404(request, district_id)
    purpose, ask = _purpose_or_ask(request, found.name)
    if ask is not None:
        return ask
    people = selectors_plans.district_planning(request.user, district_id, purpose=purpose)
    return render_registry(request, "registry/plans/district.html", {
        "district": found, "purpose": purpose, "people": people})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit(request, person_id: int):
    """Make or change the plan of a person (writers only; refused — 404 — without the person's consent)."""
    _require_registry_user(request)
    person = selectors_plans.person_for_planning(request.user, person_id)
    if person is None:
        raise Http404
    plan = selectors_plans.plan_of(person.pk)
    view = None
    if plan is not None:
        view = selectors_plans.read_plan(request.user, plan.pk, purpose="support_planning")
    municipality = default_municipality_or_404()
    if request.method == "POST":
        form = PlanForm(request.POST, municipality=municipality)
        if form.is_valid():
            try:
                saved = actions_plans.save_plan(actor=request.user, person=person, data=form.to_input())
            except PermissionDenied:
                raise Http404 from None
            except ValueError as refused:
                form.add_error(None, str(refused))
            else:
                return redirect(_with_purpose("registry:plan", "support_planning", saved.pk))
    else:
        form = PlanForm(initial=PlanForm.initial_from(view.plan) if view else {}, municipality=municipality)
    return render_registry(request, "registry/plans/edit.html", {
        "form": form, "view": view, "person_id": person.pk}, status=400 if request.method == "POST" else 200)


def _plan_or_404(request, pk: int, purpose: str, action: str = AccessLog.Action.VIEW):
    view = selectors_plans.read_plan(request.user, pk, purpose=purpose, action=action)
    if view is None:
        raise Http404
    return view


def _asked_plan(request, pk: int, action: str):
    """(purpose, the plan read and logged for it), or (None, the page asking why) when no purpose was given."""
    _require_registry_user(request)
    purpose, ask = _purpose_or_ask(request, "")
    if ask is not None:
        return None, ask
    return purpose, _plan_or_404(request, pk, purpose, action)


@never_cache
@login_required
def plan(request, pk: int):
    purpose, view = _asked_plan(request, pk, AccessLog.Action.VIEW)
    return view if purpose is None else _plan_page(request, view, purpose)


def _plan_page(request, view, purpose: str, *, supporter_form=None, refused=None, status: int = 200):
    """The plan page; for a writer, a form per supporter (ids apart) and the form to add one. `refused`: the
    supporter id and form that were refused."""
    if view.may_edit:
        for shown in view.supporters:
            pk = shown.supporter.pk
            shown.form = refused[1] if refused and refused[0] == pk else SupporterConsentForm(
                auto_id=f"id_s{pk}_%s")
    return render_registry(request, "registry/plans/plan.html", {
        "view": view, "purpose": purpose, "supporter_form": supporter_form or SupporterForm(),
        "sketch": route_sketch(view.plan), "today": timezone.localdate()}, status=status)


@never_cache
@login_required
def print_plan(request, pk: int):
    """The plan on A4 portrait, large type; who it was printed for and when on every page. Logged as a print."""
    purpose, view = _asked_plan(request, pk, AccessLog.Action.PRINT)
    if purpose is None:
        return view
    who = getattr(request.user, "display_name", "") or request.user.get_username()
    mark = f"{who} {timezone.localtime():%Y-%m-%d %H:%M} ({purpose})"
    return render(request, "registry/plans/print.html", {"view": view, "mark": mark,
                                                         "sketch": route_sketch(view.plan)})


SKETCH_W, SKETCH_H, SKETCH_PAD = 300, 180, 40  # the padding leaves room for the labels


def route_sketch(plan) -> dict | None:
    """The route as an SVG polyline for the paper plan (no tiles on paper): home → waypoints → destination,
    scaled into the box with the longitude shortened by cos(latitude) so the shape stays true."""
    shelter = plan.destination_shelter
    end = [shelter.lat, shelter.lon] if shelter is not None else plan.destination_point or None
    line = [p for p in [plan.home_point or None, *(plan.route or []), end] if p]
    if len(line) < 2:
        return None
    squeeze = math.cos(math.radians(line[0][0]))
    xs, ys = [p[1] * squeeze for p in line], [p[0] for p in line]
    span = max(max(xs) - min(xs), (max(ys) - min(ys)) * SKETCH_W / SKETCH_H, 1e-9)
    scale = (SKETCH_W - 2 * SKETCH_PAD) / span
    points = [(SKETCH_PAD + (x - min(xs)) * scale, SKETCH_H - SKETCH_PAD - (y - min(ys)) * scale)
              for x, y in zip(xs, ys, strict=True)]
    text = [(f"{x:.1f}", f"{y:.1f}") for x, y in points]  # formatted here: SVG needs "." whatever the locale
    return {"points": " ".join(f"{x},{y}" for x, y in text), "start": text[0], "end": text[-1],
            "has_home": bool(plan.home_point), "width": SKETCH_W, "height": SKETCH_H}


@never_cache
@login_required
@require_POST
def add_supporter(request, pk: int):
    _require_registry_user(request)
    view = _plan_or_404(request, pk, "support_planning")
    if not view.may_edit:
        raise Http404
    form = SupporterForm(request.POST)
    if form.is_valid():
        try:
            actions_plans.add_supporter(actor=request.user, plan=view.plan, **form.cleaned_data)
        except ValueError as refused:
            form.add_error(None, str(refused))
        else:
            return redirect(_with_purpose("registry:plan", "support_planning", pk))
    return _plan_page(request, view, "support_planning", supporter_form=form, status=400)


@never_cache
@login_required
@require_POST
def supporter(request, pk: int):
    """Record a supporter's answer, or take the supporter off the plan (`remove`)."""
    _require_registry_user(request)
    found = Supporter.objects.select_related("plan__person").filter(pk=pk, removed_at__isnull=True).first()
    if found is None or not selectors_plans.may_write_plan(request.user, found.plan.person):
        raise Http404
    back = _with_purpose("registry:plan", "support_planning", found.plan_id)
    if request.POST.get("remove"):
        actions_plans.remove_supporter(actor=request.user, supporter=found)
        return redirect(back)
    form = SupporterConsentForm(request.POST, auto_id=f"id_s{found.pk}_%s")
    if not form.is_valid():
        view = _plan_or_404(request, found.plan_id, "support_planning")
        return _plan_page(request, view, "support_planning", refused=(found.pk, form), status=400)
    actions_plans.record_supporter_consent(actor=request.user, supporter=found, **form.cleaned_data)
    return redirect(back)


@never_cache
@login_required
def map_page(request):
    """The supporters' map: the page itself holds nothing personal; the data comes from map.json."""
    _require_registry_user(request)
    purpose, ask = _purpose_or_ask(request, "")
    if ask is not None:
        return ask
    return render_registry(request, "registry/plans/map.html", {
        "purpose": purpose, "data_url": _with_purpose("registry:plan_map_data", purpose)})


@never_cache
@login_required
def map_data(request):
    """People's homes, routes and destinations of the plans the viewer may see (each logged), open shelters and
    the hazard layers, as JSON."""
    _require_registry_user(request)
    purpose = request.GET.get("purpose", "")
    if purpose not in selectors.PURPOSES:
        return JsonResponse({"error": f"purpose: one of {', '.join(selectors.PURPOSES)}"}, status=400)
    municipality = default_municipality_or_404()
    plans = selectors_plans.map_plans(request.user, municipality, purpose=purpose)
    for drawn in plans:
        drawn["url"] = _with_purpose("registry:plan", purpose, drawn["plan"])
    shelters = [{"name": s.name, "point": [s.lat, s.lon], "status": s.status, "crowding": s.crowding,
                 "drill": s.is_drill} for s in open_shelters_with_occupancy(municipality)]
    return JsonResponse({"plans": plans, "open_shelters": shelters,
                         "hazards": selectors_plans.hazard_layers(municipality)})
