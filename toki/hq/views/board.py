"""The live board: one page (works without JavaScript) whose parts htmx re-fetches every 10 seconds, plus the map
data as JSON. Each partial is a handful of queries (pinned in the tests)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from toki.hq import board, selectors
from toki.hq.kpi import incident_kpi

POLL_SECONDS = 10
PARTS = ("summary", "instructions", "chronology")


def _context(incident, part: str) -> dict:
    if part == "summary":
        return {"summary": board.board_summary(incident), "orders": board.board_orders(incident)}
    if part == "instructions":
        return {"open_instructions": board.board_instructions(incident)}
    return {"entries": board.board_chronology(incident)}


@login_required
@never_cache
def board_page(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    context = {"incident": incident, "poll": POLL_SECONDS, "tiles": settings.TOKI_TILE_URL}
    for part in PARTS:
        context.update(_context(incident, part))
    return render(request, "hq/board.html", context)


@login_required
@never_cache
def board_part(request, pk, part):
    if part not in PARTS:
        raise Http404
    incident = selectors.get_incident_for_user(request.user, pk, with_districts=False)
    context = {"incident": incident, "poll": POLL_SECONDS, **_context(incident, part)}
    return render(request, f"hq/board/{part}.html", context)


@login_required
@never_cache
def board_map(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    return JsonResponse(board.board_map(incident))


@login_required
@never_cache
def kpi_json(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    return JsonResponse(incident_kpi(incident), json_dumps_params={"ensure_ascii": False})
