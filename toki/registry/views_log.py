"""The access log page (registry officers): who looked at whom, which items, why, on what legal basis; newest
first, 200 a page, filtered by person id, user or legal basis. Ids and codes only: reading the log shows no
personal value of the register."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from toki.registry import selectors
from toki.registry.permissions import may_keep_register
from toki.registry.views import render_registry

FILTER_LABELS = {"person": gettext_lazy("Person id"), "before": gettext_lazy("Older")}


@never_cache
@login_required
def access_log(request):
    if not may_keep_register(request.user):
        raise Http404
    filters, problems = {}, []
    for name in ("person", "before"):
        raw = request.GET.get(name, "").strip()
        if raw:
            if raw.isdigit():
                filters[name] = int(raw)
            else:
                problems.append(_("%(field)s: give a number") % {"field": FILTER_LABELS[name]})
    actor = request.GET.get("actor", "").strip()[:150]
    basis = request.GET.get("basis", "").strip()
    page = selectors.access_log_page(request.user, person_id=filters.get("person"), actor=actor, basis=basis,
                                     before_id=filters.get("before"))
    return render_registry(request, "registry/access_log.html", {
        **page, "problems": problems, "query": {"person": request.GET.get("person", ""), "actor": actor,
                                                "basis": basis}}, status=400 if problems else 200)
