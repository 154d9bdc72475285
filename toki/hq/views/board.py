"""The live board: one page (works without JavaScript) whose parts htmx re-fetches every 10 seconds, plus the map
data as JSON. Each partial is a handful of queries (pinned in the tests).

A part's HTML depends only on the incident and the language, not on who asks, so it is kept in the cache for
PART_CACHE_SECONDS: with 50 staff polling, each part is computed about once per window per server process and
every other poll costs only the permission check (session, user, memberships, incident). A change shows on the
board at most PART_CACHE_SECONDS + one polling interval later."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from toki.hq import board, selectors
from toki.hq.kpi import incident_kpi
from toki.hq.panels import board_panels
from toki.hq.permissions import may_read_distress_messages

POLL_SECONDS = 10
PART_CACHE_SECONDS = 3
PARTS = ("summary", "shelters", "instructions", "chronology", "distress")


def _context(incident, part: str, request) -> dict:
    panel = board_panels().get(part)
    if panel is not None:  # another app's panel (toki.hq.panels), e.g. the household tablets' 安否 replies
        return {"panel": panel.context_for(incident, request)}
    if part == "summary":
        return {"summary": board.board_summary(incident), "orders": board.board_orders(incident)}
    if part == "shelters":
        return {"shelters": board.board_shelter_table(incident)}
    if part == "instructions":
        return {"open_instructions": board.board_instructions(incident)}
    if part == "distress":
        return {"distress_messages": board.board_distress(incident)}
    return {"entries": board.board_chronology(incident)}


@login_required
@never_cache
def board_page(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    show_distress = may_read_distress_messages(request.user)
    context = {"incident": incident, "poll": POLL_SECONDS, "tiles": settings.TOKI_TILE_URL,
               "show_distress": show_distress}
    for part in PARTS:
        if part != "distress" or show_distress:
            context.update(_context(incident, part, request))
    context["panels"] = [render_to_string(panel.template, {"incident": incident, "poll": POLL_SECONDS,
                                                           **_context(incident, key, request)}, request=request)
                         for key, panel in board_panels().items()]
    return render(request, "hq/board.html", context)


@login_required
@never_cache
def board_part(request, pk, part):
    panel = board_panels().get(part)
    if (part not in PARTS and panel is None) or (part == "distress" and not may_read_distress_messages(request.user)):
        raise Http404
    incident = selectors.get_incident_for_user(request.user, pk, with_districts=False)
    key = f"hq:board:{incident.pk}:{part}:{get_language()}"
    seconds = panel.cache_seconds if panel is not None else PART_CACHE_SECONDS
    html = cache.get(key) if seconds else None
    if html is None:
        context = {"incident": incident, "poll": POLL_SECONDS, **_context(incident, part, request)}
        template = panel.template if panel is not None else f"hq/board/{part}.html"
        html = render_to_string(template, context, request=request)
        if seconds:
            cache.set(key, html, seconds)
    return HttpResponse(html)


@login_required
@never_cache
def board_map(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk, with_districts=False)
    key = f"hq:board:{incident.pk}:map"
    body = cache.get(key)
    if body is None:
        body = json.dumps(board.board_map(incident), cls=DjangoJSONEncoder, ensure_ascii=False)
        cache.set(key, body, PART_CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


@login_required
@never_cache
def kpi_json(request, pk):
    incident = selectors.get_incident_for_user(request.user, pk)
    return JsonResponse(incident_kpi(incident), json_dumps_params={"ensure_ascii": False})
