"""CAP views: the public Atom index and CAP documents (cacheable, no cookies), and the staff import endpoint."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from toki.alerts.actions.cap import Outcome, import_cap
from toki.alerts.cap.build import alert_to_cap
from toki.alerts.cap.feed import ATOM_MIME, CAP_MIME, alert_url, build_feed
from toki.alerts.cap.parse import MAX_CAP_BYTES
from toki.alerts.cap.selectors import current_public_alerts, feed_last_modified, get_public_alert
from toki.alerts.permissions import can_import_cap
from toki.areas.selectors import default_municipality

CACHE_SECONDS = 60
IMPORT_CONTENT_TYPES = ("application/cap+xml", "application/xml")
_STATUS_OF_OUTCOME = {Outcome.IMPORTED: 201, Outcome.DUPLICATE: 200, Outcome.NOT_CONCERNING: 200,
                      Outcome.REJECTED: 400}


@require_safe
def feed(request):
    municipality = default_municipality()
    if municipality is None:
        raise Http404
    now = timezone.now()
    last_modified = feed_last_modified(municipality, now)
    not_modified = _not_modified(request, last_modified)
    if not_modified is not None:
        return not_modified
    body = build_feed(municipality, current_public_alerts(municipality, now), last_modified or now)
    return _cacheable(HttpResponse(body, content_type=f"{ATOM_MIME}; charset=utf-8"), last_modified)


@require_safe
def alert_xml(request, pk: int):
    municipality = default_municipality()
    alert = get_public_alert(municipality, pk) if municipality else None
    if alert is None:  # drills, tests, other towns' and unknown alerts alike
        raise Http404
    not_modified = _not_modified(request, alert.created_at)
    if not_modified is not None:
        return not_modified
    return _cacheable(HttpResponse(alert_to_cap(alert), content_type=f"{CAP_MIME}; charset=utf-8"),
                      alert.created_at)


def import_view(request):
    """POST a CAP 1.2 message as the body. Session login + CSRF token; HQ editors and administrators only."""
    if not request.user.is_authenticated:
        # 401 rather than a redirect to the login page: the caller is a program. The challenge names the login
        # page, since session login is the only way in (no API token yet; docs/cap.md).
        challenge = f'Session realm="toki", login="{resolve_url(settings.LOGIN_URL)}"'
        return JsonResponse({"outcome": "error", "reason": "log in as HQ staff first"}, status=401,
                            headers={"WWW-Authenticate": challenge})
    if not can_import_cap(request.user):
        raise Http404
    if request.method != "POST":
        return JsonResponse({"outcome": "error", "reason": "use POST"}, status=405, headers={"Allow": "POST"})
    if request.content_type not in IMPORT_CONTENT_TYPES:
        return JsonResponse({"outcome": "error", "reason": f"Content-Type must be one of "
                                                           f"{', '.join(IMPORT_CONTENT_TYPES)}"}, status=415)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_CAP_BYTES:
        return JsonResponse({"outcome": "error", "reason": f"larger than {MAX_CAP_BYTES} bytes"}, status=413)
    result = import_cap(request.body, acting_user=request.user, origin="POST /cap/import")
    payload = {"outcome": str(result.outcome), "reason": result.reason,
               "matches": [m.as_dict() for m in result.matches]}
    if result.alert is not None:
        payload["alert"] = {"id": result.alert.pk, "identifier": result.alert.identifier,
                            "status": result.alert.status, "msg_type": result.alert.msg_type}
        if result.alert.is_public:
            payload["alert"]["cap_url"] = alert_url(result.alert)
    return JsonResponse(payload, status=_STATUS_OF_OUTCOME[result.outcome])


def _not_modified(request, last_modified):
    if last_modified is None:
        return None
    response = get_conditional_response(request, last_modified=int(last_modified.timestamp()))
    return _cacheable(response, last_modified) if response is not None else None


def _cacheable(response, last_modified):
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    return response
