"""The driver's tablet (issue 19, deliverable 4) and the operators' page that enrols it.

- /rides/ops/<area>/tablets/: the area's operators make a one-time QR for a vehicle's tablet, see the tablets in
  service and sign one out;
- /rides/driver/enrol/<token>/: the QR's page on the tablet (confirm; then the tablet's cookie is set);
- /rides/driver/: the PWA shell (offline through its service worker); the plan (plan.json) and the marks
  (events, the shelter tablet's sync contract) and positions go through the tablet's cookie, never a login.
Without an enrolled tablet's cookie every driver URL answers 401 (the page says how to set the tablet up)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from toki.lib import bounded
from toki.lib.qr import qr_svg
from toki.lib.report_fields import ReportInvalid
from toki.lib.service_worker import response as service_worker_response
from toki.transport.rides import driver, driver_sync
from toki.transport.rides.models import DriverTablet, Vehicle
from toki.transport.rides.views_desk import _area

# The shelter tablet's store and sync loop, reused unchanged (docs/rides.md "The driver's tablet"); then the page's.
DRIVER_SCRIPTS = ("shelterops/store.js", "shelterops/sync.js", "rides/driver.js")
DRIVER_STATIC = ("rides/driver.css", "shelterops/icon-192.png", *DRIVER_SCRIPTS)
MAX_BODY = 256 * 1024
POSITION_EVERY_SECONDS = 60


def tablet_required(view):
    """The request's enrolled tablet as `request.tablet`; else 401 (JSON for the program endpoints, the 'not set
    up' page for the screen)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        tablet = driver.tablet_of(request)
        if tablet is None:
            if request.path.endswith("/driver/"):
                return render(request, "rides/driver/not_enrolled.html", status=401)
            return JsonResponse({"detail": "this tablet is not enrolled (ask the office for a QR code)"}, status=401)
        request.tablet = tablet
        return view(request, *args, **kwargs)

    return wrapped


def strings() -> dict:
    return {
        "board": _("Boarding"), "alight": _("Getting off"), "boarded": _("Boarded"), "no_show": _("Not there"),
        "dropped_off": _("Dropped off"), "undo_hint": _("Marked on this tablet"),
        "people": _("%(count)s people"), "wheelchair": _("Wheelchair"), "call": _("Call"),
        "window": _("Pickup %(from)s–%(until)s"), "arrive_by": _("Arrive by %(time)s"),
        "map": _("Map"), "navigate": _("Navigate"), "no_stops": _("No stops on today's plan."),
        "withdrawn": _("Out of service today since %(time)s (%(note)s): no more rides; the office moved them."),
        "out_span": _("Out of service from %(first)s to %(last)s (%(note)s): no rides on these days."),
        "out_open": _("Out of service until the office brings it back: no rides."),
        "no_plan": _("The plan has not been downloaded yet: connect once."),
        "online": _("Online"), "offline": _("Offline: marks are kept on this tablet"),
        "unsent": _("%(count)s marks not sent yet"), "all_sent": _("All marks sent"),
        "rejected": _("Not accepted by the office"), "updated": _("Plan as of %(time)s"),
        "not_enrolled": _("This tablet is not set up any more. Ask the office for a new QR code."),
        "gps_off": _("Position: not shared"), "gps_on": _("Position shared %(time)s"),
        "next": _("Next"), "done": _("Done"),
        "status_boarded": _("On board"), "status_no_show": _("No-show"), "status_completed": _("Completed"),
        "status_cancelled": _("Cancelled"),
    }


@require_GET
@never_cache
@ensure_csrf_cookie
@tablet_required
def tablet(request):
    scope = f"rides-vehicle-{request.tablet.vehicle_id}"
    config = {
        "scope": scope, "rosterUrl": reverse("rides:driver_plan"), "eventsUrl": reverse("rides:driver_events"),
        "positionUrl": reverse("rides:driver_position"), "positionEvery": POSITION_EVERY_SECONDS,
        "serviceWorker": reverse("rides:driver_sw"), "swScope": reverse("rides:driver"),
        "batch": driver_sync.MAX_EVENTS, "strings": strings(), "language": get_language(),
    }
    return render(request, "rides/driver/tablet.html", {
        "config": config, "scripts": DRIVER_SCRIPTS, "vehicle": request.tablet.vehicle})


@require_GET
@never_cache
@tablet_required
def plan(request):
    driver.note_seen(request.tablet, timezone.now())
    return JsonResponse(driver.plan_for(request.tablet, timezone.localdate()),
                        json_dumps_params={"ensure_ascii": False})


def _json_body(request):
    if len(request.body) > MAX_BODY:
        return None, JsonResponse({"detail": f"the body is larger than {MAX_BODY} bytes"}, status=413)
    try:
        return bounded.loads(request.body), None
    except (ValueError, RecursionError):
        return None, JsonResponse({"detail": "the body is not JSON"}, status=400)


@require_POST
@tablet_required
def events(request):
    body, refusal = _json_body(request)
    if refusal is not None:
        return refusal
    device = body.get("device_id") if isinstance(body, dict) else None
    if not isinstance(device, str) or not 1 <= len(device) <= 64 or not device.isprintable():
        return JsonResponse({"detail": "device_id: 1 to 64 printable characters"}, status=422)
    try:
        results = driver_sync.apply_events(tablet=request.tablet, events=body.get("events"))
    except ValueError as error:
        return JsonResponse({"detail": str(error)}, status=422)
    return JsonResponse({"results": results})


@require_POST
@tablet_required
def position(request):
    body, refusal = _json_body(request)
    if refusal is not None:
        return refusal
    try:
        vehicle_day = driver.record_position(tablet=request.tablet,
                                             position=driver.read_position(body, timezone.now()))
    except ReportInvalid as error:
        return JsonResponse({"detail": str(error)}, status=400)
    except ValidationError as error:
        return JsonResponse({"detail": driver_sync.message_of(error)}, status=409)
    return JsonResponse({"measured_at": vehicle_day.last_seen_at.isoformat() if vehicle_day.last_seen_at else None},
                        status=202)


@never_cache
def enrol(request, token):
    """The one-time QR's page on the tablet: confirm, then the tablet belongs to the vehicle (its cookie)."""
    code = driver.open_enrolment(token)
    if code is None:
        raise Http404("unknown, used or expired code")
    if request.method == "POST":
        try:
            _tablet, secret = driver.enrol_tablet(token=token)
        except ValidationError:
            raise Http404("unknown, used or expired code") from None
        response = redirect("rides:driver")
        driver.set_cookie(response, secret)
        return response
    return render(request, "rides/driver/enrol.html", {"code": code})


@require_GET
def service_worker(request):
    page = reverse("rides:driver")
    return service_worker_response("rides/driver_sw.js", scope=page, constants={
        "TOKI_PRECACHE": [page, reverse("rides:driver_manifest")] + [static(p) for p in DRIVER_STATIC],
        "TOKI_DRIVER_URL": page})


@require_GET
def manifest(request):
    page = reverse("rides:driver")
    data = {"name": _("Toki shared rides — driver"), "short_name": _("Driver"), "lang": get_language(),
            "start_url": page, "scope": page, "id": page, "display": "standalone", "orientation": "any",
            "background_color": "#ffffff", "theme_color": "#12355b",
            "icons": [{"src": static("shelterops/icon-192.png"), "sizes": "192x192", "type": "image/png"}]}
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_required
def tablets(request, area_code: str):
    """The area's operators: a one-time QR for a vehicle's tablet; the tablets in service, and signing one out."""
    area = _area(request, area_code)
    context = {"area": area, "vehicles": Vehicle.objects.filter(area=area, active=True),
               "hours": driver.ENROLMENT_HOURS}
    if request.method == "POST" and request.POST.get("vehicle"):
        vehicle = Vehicle.objects.filter(area=area, pk=_number(request.POST["vehicle"])).first()
        if vehicle is None:
            raise Http404
        _code, secret = driver.create_enrolment(acting_user=request.user, vehicle=vehicle)
        url = request.build_absolute_uri(reverse("rides:driver_enrol", args=[secret]))
        context.update({"qr": qr_svg(url), "enrol_url": url, "vehicle": vehicle})
    elif request.method == "POST" and request.POST.get("sign_out"):
        found = DriverTablet.objects.filter(vehicle__area=area, pk=_number(request.POST["sign_out"])).first()
        if found is None:
            raise Http404
        driver.sign_out_tablet(acting_user=request.user, tablet=found)
        messages.success(request, _("The tablet is signed out: it opens nothing any more."))
        return redirect("rides:tablets", area_code=area.code)
    context["tablets"] = driver.tablets_of_area(request.user, area)
    return render(request, "rides/driver/tablets.html", context)


def _number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 12 else 0
