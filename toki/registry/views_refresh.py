"""The refresh diff for approval (registry officers only): what a new file from the welfare and resident systems
would change — new, changed (which items), left (why) — before anything is applied; approve or discard.
Each person on the register named on the page is a look, logged (internal use, 第49条の11第1項)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from toki.registry import accesslog
from toki.registry import refresh as refreshing
from toki.registry.models import AccessLog, Person, Refresh, RefreshChange
from toki.registry.permissions import may_keep_register
from toki.registry.views import render_registry

SHOWN_PER_KIND = 500


def _require_keeper(request) -> None:
    if not may_keep_register(request.user):
        raise Http404


@never_cache
@login_required
def refreshes(request):
    _require_keeper(request)
    return render_registry(request, "registry/refreshes.html", {"refreshes": Refresh.objects.all()[:100]})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def refresh_page(request, pk: int):
    _require_keeper(request)
    found = Refresh.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("op") == "approve":
                refreshing.apply_refresh(actor=request.user, refresh=found)
            elif request.POST.get("op") == "discard":
                refreshing.discard_refresh(actor=request.user, refresh=found)
            else:
                raise ValueError(_("op: approve or discard"))
            return redirect("registry:refresh", pk=pk)
        except ValueError as refused:
            error = str(refused)
    groups = []
    if found.state == Refresh.State.PENDING:
        groups = _groups(request.user, found)
    return render_registry(request, "registry/refresh.html", {"refresh": found, "groups": groups, "error": error},
                           status=400 if error else 200)


def _groups(user, found: Refresh) -> list[dict]:
    from toki.areas.models import District

    districts = dict(District.objects.values_list("pk", "name"))
    groups, looks = [], []
    for kind, label in RefreshChange.Kind.choices:
        changes = list(RefreshChange.objects.filter(refresh=found, kind=kind)[:SHOWN_PER_KIND])
        names = dict(Person.objects.filter(pk__in=[c.person_id for c in changes if c.person_id]).values_list(
            "id", "name")) if kind == RefreshChange.Kind.LEFT else {}
        rows = []
        for change in changes:
            name = change.values.get("name", "") if change.values else names.get(change.person_id or 0, "")
            rows.append({"name": name, "district": districts.get(change.district_id or 0, ""),
                         "fields": change.changed_fields, "reason": change.get_left_reason_display()})
            if change.person_id:
                looks.append(accesslog.Look(change.person_id, ("name", *change.changed_fields),
                                            AccessLog.Basis.INTERNAL))
        groups.append({"kind": kind, "label": label, "count": found.counts.get(kind, 0), "rows": rows})
    accesslog.record(user, looks, action=AccessLog.Action.VIEW, purpose="register_upkeep")
    return groups
