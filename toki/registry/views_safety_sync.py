"""A supporter's own 安否 list on their phone, offline first (docs/registry.md "Supporters offline"). Like the
fares checker, the page reuses the shelter tablet's IndexedDB store and sync loop (static/shelterops/store.js
under its own database, static/shelterops/sync.js unchanged): the "roster" is the supporter's list, the events
are their answers. The page itself is a shell without registry data (its service worker may keep it); the list
comes from list.json (the minimum fields, every person a logged look) and is kept in IndexedDB for the round,
deleted at sign-out or when the session is found ended.

The JSON endpoints answer 401 without a session (the page then asks to log in again, deletes the list and keeps
its answers) and 404 to anyone who is not a registry user. Like every registry URL they need a fresh second factor
(second_factor.required): without one they redirect to it, which the page's sync loop takes as "not connected"
and retries — the answers wait on the phone until the supporter opens the page and gives the code. No registry
value is in a URL."""


from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from toki.accounts.models import User
from toki.lib.service_worker import response as service_worker_response
from toki.lib.sync_batch import read_batch
from toki.registry import actions_safety, safety_sync, selectors_safety
from toki.registry.models import Person, Safety, SafetyAssignment, Source, Step
from toki.registry.permissions import is_registry_officer, may_use_registry
from toki.registry.views import render_registry

SCRIPTS = ("shelterops/store.js", "shelterops/sync.js", "registry/supporter.js")
STATIC = ("registry/supporter.css", "shelterops/icon-192.png", *SCRIPTS)
MAX_BODY = 256 * 1024


def strings() -> dict:
    return {
        **{f"status_{value}": str(label) for value, label in Safety.choices},
        **{f"step_{value}": str(label) for value, label in Step.choices},
        **{f"source_{value}": str(Source(value).label) for value in safety_sync.PHONE_SOURCES},
        "next": _("Next: %(step)s"), "due": _("due now"), "offline": _("Offline: answers are kept on this phone"),
        "online": _("Connected"), "unsent": _("%(count)s answers not sent yet"), "all_sent": _("All answers sent"),
        "pending": _("not sent yet"), "rejected": _("refused: %(error)s"), "held": _("kept for staff"),
        "relation": _("Relation (長男, 娘, …)"), "who": _("Who answered"), "how": _("How"),
        "empty": _("Nobody is assigned to you in an open round."), "drill": _("Drill"),
        "never_loaded": _("The list has not been loaded on this phone yet: connect once."),
        "call": _("Call"), "record": _("Record"),
    }


@require_GET
@never_cache
@ensure_csrf_cookie
@login_required
def mine(request):
    if not may_use_registry(request.user):
        raise Http404
    config = {"listUrl": reverse("registry:safety_mine_list"), "eventsUrl": reverse("registry:safety_mine_events"),
              "serviceWorker": reverse("registry:safety_mine_sw"), "scope": reverse("registry:safety_mine"),
              "logoutUrl": reverse("accounts:logout"), "user": request.user.pk, "batch": safety_sync.MAX_EVENTS,
              "statuses": list(Safety.values), "sources": list(safety_sync.PHONE_SOURCES),
              "steps": list(Step.values), "strings": strings()}
    return render_registry(request, "registry/safety_mine.html", {"config": config, "scripts": SCRIPTS})


@require_GET
def service_worker(request):
    """The page's service worker: the fares checker's (static/fares/sw.js: the shell network-first, the hashed
    static files cache-first), with this page and its own cache name; never the list, which lives in the page's
    IndexedDB."""
    page = reverse("registry:safety_mine")
    return service_worker_response("fares/sw.js", scope=page, constants={
        "TOKI_CACHE_PREFIX": "toki-registry-safety-", "TOKI_PRECACHE": [page] + [static(p) for p in STATIC],
        "TOKI_CHECKER_URL": page})


def _refused(request) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    if not may_use_registry(request.user):
        return JsonResponse({"detail": "Not found"}, status=404)
    return None


@require_GET
@never_cache
def mine_list(request):
    if (refusal := _refused(request)) is not None:
        return refusal
    response = JsonResponse({"user": request.user.pk, "lines": selectors_safety.supporter_list(request.user)},
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def mine_events(request):
    if (refusal := _refused(request)) is not None:
        return refusal
    batch = read_batch(request, max_body=MAX_BODY, max_events=safety_sync.MAX_EVENTS)
    if isinstance(batch, JsonResponse):
        return batch
    device, events = batch
    results = safety_sync.apply_events(acting_user=request.user, device_id=device, events=events)
    return JsonResponse({"results": results})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_supporters(request, person_id: int):
    """Officers assign the supporters who check on a person (by number and district only on this page)."""
    if not is_registry_officer(request.user):
        raise Http404
    person = get_object_or_404(Person.objects.select_related("district").only("id", "district"), pk=person_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("op") == "unassign":
                assignment = get_object_or_404(SafetyAssignment, person=person, pk=request.POST.get("assignment"))
                actions_safety.unassign_supporter(actor=request.user, assignment=assignment)
            else:
                supporter = User.objects.filter(username=request.POST.get("supporter", "").strip(),
                                                is_active=True).first()
                if supporter is None:
                    raise ValueError(_("supporter: no active account with this user name"))
                actions_safety.assign_supporter(actor=request.user, person=person, supporter=supporter)
            return redirect("registry:person_supporters", person_id=person.pk)
        except ValueError as refused:
            errors.append(str(refused))
    assignments = SafetyAssignment.objects.filter(person=person).select_related("supporter").order_by("assigned_at")
    return render_registry(request, "registry/person_supporters.html", {
        "person": person, "assignments": assignments, "errors": errors}, status=400 if errors else 200)
