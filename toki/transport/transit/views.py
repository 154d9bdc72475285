"""The transit endpoints: the GTFS-JP export, the three GTFS-Realtime feeds (public, at stable URLs, with
caching headers), the vehicle tablets' position report (bearer token), and the transit managers' page (import a
feed, register a vehicle). Riders' pages live in the portal (toki/portal/views_transit.py)."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from toki.areas.selectors import default_municipality, default_municipality_or_404
from toki.lib import bounded, device_secrets
from toki.transport.transit import actions, selectors
from toki.transport.transit.exporting import export_zip
from toki.transport.transit.payloads import ReportInvalid, read_report
from toki.transport.transit.permissions import may_manage_transit
from toki.transport.transit.reading import FeedInvalid
from toki.transport.transit.realtime import FEEDS

RT_MAX_AGE = 5  # seconds: a vehicle reports about every 5 s; the feed is built at most once in that time
GTFS_MAX_AGE = 3600
MAX_REPORT_BYTES = 16 * 1024


def _cached_body(request, body: bytes, content_type: str, max_age: int) -> HttpResponse:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_GET
def gtfs_feed(request):
    municipality = default_municipality_or_404()
    feed = selectors.feed_of(municipality)
    if feed is None:
        raise Http404
    key = f"transit:gtfs:{feed.pk}:{feed.sha256}"
    body = cache.get(key)
    if body is None:
        body = export_zip(feed)
        cache.set(key, body, GTFS_MAX_AGE)
    response = _cached_body(request, body, "application/zip", GTFS_MAX_AGE)
    response["Content-Disposition"] = 'attachment; filename="gtfs-jp.zip"'
    return response


@require_GET
def realtime_feed(request, kind: str):
    """A GTFS-RT feed (protobuf). Built at most once per RT_MAX_AGE for all readers (the cache), so many readers
    cost one build; `?debug=1` gives the same message as text for people."""
    municipality = default_municipality_or_404()
    key = f"transit:rt:{municipality.pk}:{kind}"
    body = cache.get(key)
    if body is None:
        body = FEEDS[kind](municipality)
        cache.set(key, body, RT_MAX_AGE)
    if request.GET.get("debug") == "1":
        from google.protobuf import text_format
        from google.transit import gtfs_realtime_pb2

        message = gtfs_realtime_pb2.FeedMessage()
        message.ParseFromString(body)
        return _cached_body(request, text_format.MessageToString(message, as_utf8=True).encode(),
                            "text/plain; charset=utf-8", RT_MAX_AGE)
    return _cached_body(request, body, "application/x-protobuf", RT_MAX_AGE)


def _refuse(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="toki-transit"'
    return response


@csrf_exempt  # a vehicle token, not a cookie: there is no session to forge a request with
@require_POST
def vehicle_position(request):
    """A vehicle's tablet reports its position (and boardings): `Authorization: Bearer <vehicle token>`."""
    token = device_secrets.bearer_secret(request)
    vehicle = selectors.vehicle_for_token(actions.hash_token(token)) if token else None
    if vehicle is None:
        return _refuse(401, "a valid vehicle token is needed (Authorization: Bearer …)")
    if len(request.body) > MAX_REPORT_BYTES:
        return _refuse(413, f"the report is larger than {MAX_REPORT_BYTES} bytes")
    try:
        report = read_report(bounded.loads(request.body), timezone.now())
    except (ValueError, RecursionError) as error:
        return _refuse(400, str(error) if isinstance(error, ReportInvalid) else "the body is not JSON")
    feed = selectors.feed_of(vehicle.municipality)
    if report["trip_id"]:
        trip = feed.trips.filter(gtfs_id=report["trip_id"]).select_related("route").first() if feed else None
        if trip is None:
            return _refuse(400, "trip_id: not a trip of the published feed")
        report["route_id"] = report["route_id"] or trip.route.gtfs_id
    position = actions.record_position(vehicle=vehicle, report=report)
    return JsonResponse({"vehicle": vehicle.gtfs_id, "measured_at": position.measured_at.isoformat()}, status=202)


def _manager_municipality(request):
    municipality = default_municipality()
    if municipality is None or not may_manage_transit(request.user):
        raise Http404
    return municipality


@login_required
def manage(request):
    municipality = _manager_municipality(request)
    return render(request, "transit/manage.html", {
        "feed": selectors.feed_of(municipality), "vehicles": selectors.vehicles_for(request.user, municipality),
        "alerts": selectors.open_service_alerts(municipality), "problems": None})


@login_required
@require_POST
def manage_import(request):
    municipality = _manager_municipality(request)
    upload = request.FILES.get("feed")
    problems = None
    if upload is None:
        problems = [_("Choose a GTFS-JP zip file.")]
    elif upload.size > 20 * 1024 * 1024:
        problems = [_("The file is larger than 20 MB.")]
    else:
        try:
            feed = actions.import_feed(acting_user=request.user, municipality=municipality, data=upload.read())
        except FeedInvalid as error:
            problems = [str(problem) for problem in error.problems]
        else:
            messages.success(request, _("Imported the feed %(version)s.") % {"version": feed.version})
            return redirect("transit:manage")
    return render(request, "transit/manage.html", {
        "feed": selectors.feed_of(municipality), "vehicles": selectors.vehicles_for(request.user, municipality),
        "alerts": selectors.open_service_alerts(municipality), "problems": problems}, status=400)


@login_required
@require_POST
def manage_vehicle(request):
    municipality = _manager_municipality(request)
    gtfs_id, label = request.POST.get("vehicle_id", "").strip(), request.POST.get("label", "").strip()
    if not gtfs_id or len(gtfs_id) > 50 or not gtfs_id.isprintable() or not label or len(label) > 100 \
            or not label.isprintable():
        messages.error(request, _("A vehicle id (up to 50 characters) and a label (up to 100) are needed."))
        return redirect("transit:manage")
    vehicle, token = actions.register_vehicle(acting_user=request.user, municipality=municipality,
                                              gtfs_id=gtfs_id, label=label)
    response = render(request, "transit/vehicle_token.html", {"vehicle": vehicle, "token": token})
    response["Cache-Control"] = "no-store"
    return response
