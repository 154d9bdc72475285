"""The household tablet (docs/community.md): pages for the resident, opened with the device cookie (no login).

Every page works without JavaScript (forms post and redirect); tablet.js adds the poll, the full-screen alert,
read-aloud and push. The service worker (views_pwa.py) keeps the last pages for offline use."""

import json
from functools import wraps
from importlib import import_module

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from toki.community import actions, devices, selectors
from toki.community.alerts import district_alerts, latest_item, poll_body
from toki.community.models import Item, SafetyReply
from toki.community.strings import tablet_config
from toki.lib.qr import qr_svg

APP_VERSION_MAX = 40


def device_required(view):
    """The request's enrolled device as `request.device`, else the "not enrolled" page (403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        device = devices.device_of(request)
        if device is None:
            return render(request, "community/tablet/not_enrolled.html", status=403)
        request.device = device
        return view(request, *args, **kwargs)

    return wrapped


def _page(request, template: str, context: dict, *, used: bool = True):
    if used:
        actions.note_household_used(request.device)
    household = request.device.household
    alerts = district_alerts(household, request.LANGUAGE_CODE)
    latest = selectors.latest_item_id(household)
    context = {"device": request.device, "household": household, "alerts": alerts, "latest_item_id": latest,
               "config": tablet_config(request.device), **context}
    return render(request, template, context)


@require_GET
@never_cache
@ensure_csrf_cookie
@device_required
def home(request):
    household = request.device.household
    return _page(request, "community/tablet/home.html", {
        "unread": selectors.unread_circulars(household),
        "watch_flag": selectors.open_watch_flag(household) if household.watch_over else None,
        "tapped": selectors.tapped_today(household) if household.watch_over else True,
        "latest": selectors.items_for_household(household)[:3],
    })



@require_GET
@never_cache
@ensure_csrf_cookie
@device_required
def item_list(request):
    kind = request.GET.get("kind", "")
    if kind and kind not in Item.Kind.values:
        raise Http404("unknown kind")
    items = selectors.items_for_household(request.device.household, kind=kind)[:50]
    return _page(request, "community/tablet/items.html", {"items": items, "kind": kind,
                                                          "kind_label": Item.Kind(kind).label if kind else ""})


@require_GET
@never_cache
@ensure_csrf_cookie
@device_required
def search(request):
    query = request.GET.get("q", "").strip()[:100]
    items = selectors.items_for_household(request.device.household, query=query)[:50] if query else []
    return _page(request, "community/tablet/search.html", {"items": items, "query": query})


@require_GET
@never_cache
@ensure_csrf_cookie
@device_required
def item_detail(request, pk):
    item = selectors.get_item_for_household(request.device.household, pk)
    attendance = item.attendances.filter(household=request.device.household).first()
    return _page(request, "community/tablet/item.html", {"item": item, "attendance": attendance})


@require_GET
@device_required
def attachment(request, pk, attachment_pk):
    item = selectors.get_item_for_household(request.device.household, pk)
    found = item.attachments.filter(pk=attachment_pk).first()
    if found is None:
        raise Http404("no such attachment")
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=86400"  # the service worker keeps it for offline reading
    return response


@require_POST
@device_required
def seen(request, pk):
    item = selectors.get_item_for_household(request.device.household, pk)
    actions.mark_seen(device=request.device, item=item)
    actions.note_household_used(request.device)
    return redirect("community_tablet:item", pk=item.pk)


@require_POST
@device_required
def attend(request, pk):
    item = selectors.get_item_for_household(request.device.household, pk)
    try:
        actions.answer_attendance(device=request.device, item=item, answer=request.POST.get("answer", ""))
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
    return redirect("community_tablet:item", pk=item.pk)


@require_GET
@never_cache
@ensure_csrf_cookie
@device_required
def alert(request):
    """The full-screen alert without JavaScript (tablet.js shows the same over any page)."""
    return _page(request, "community/tablet/alert.html", {"replied": request.GET.get("replied", "")})


@require_POST
@device_required
def reply(request):
    status = request.POST.get("status", "")
    if status not in SafetyReply.Status.values:
        return HttpResponse("status must be 'safe' or 'help'", status=400, content_type="text/plain")
    key = request.POST.get("alert", "")[:40]
    reply = actions.record_safety_reply(device=request.device, status=status, alert_key=key)
    actions.note_household_used(request.device)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"id": reply.pk, "status": reply.status})
    return redirect(reverse("community_tablet:alert") + f"?replied={status}")


@require_POST
@device_required
def well(request):
    actions.tap_well(device=request.device)
    actions.note_household_used(request.device)
    return redirect("community_tablet:home")


@never_cache
@ensure_csrf_cookie
@device_required
def family(request):
    """Invite a family member: their own one-time QR to scan with their own phone."""
    context: dict = {"members": request.device.household.members.all()}
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name:
            context["error"] = _("Please write the family member's name.")
        else:
            _code, secret = actions.create_enrolment_code(acting_user=None, household=request.device.household,
                                                          family_name=name, device=request.device)
            url = request.build_absolute_uri(reverse("community_tablet:enrol", args=[secret]))
            context.update({"qr": qr_svg(url), "enrol_url": url, "name": name})
    return _page(request, "community/tablet/family.html", context)


@never_cache
def enrol(request, token):
    """The one-time QR's page: confirm, then this device belongs to the household (cookie)."""
    from toki.community.models import EnrolmentCode

    code = EnrolmentCode.objects.select_related("household", "member").filter(
        token_sha256=devices.digest(token), used_at=None).first()
    if code is None:
        raise Http404("unknown or used code")
    if request.method == "POST":
        try:
            _device, secret = actions.enrol_device(token=token)
        except ValidationError:
            raise Http404("unknown or used code") from None
        response = redirect("community_tablet:home")
        devices.set_cookie(response, secret)
        return response
    return render(request, "community/tablet/enrol.html", {"code": code})


@require_GET
def poll(request):
    """The fallback to push: the alerts in force for the household's district, the newest item, the watch-over
    message. Conditional: If-None-Match with the last ETag answers 304 with no body."""
    device = devices.device_of(request)
    if device is None:
        return JsonResponse({"error": "this device is not enrolled"}, status=403)
    battery = request.GET.get("battery", "")
    actions.note_device_seen(device, app_version=request.GET.get("v", "")[:APP_VERSION_MAX],
                             battery=int(battery) if battery.isdigit() else None)
    household = device.household
    alerts = district_alerts(household, request.LANGUAGE_CODE)
    latest = latest_item(household)
    watch = household.watch_over and selectors.open_watch_flag(household) is not None
    body, etag = poll_body(alerts, latest_item=latest, watch_message=watch)
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@require_POST
@device_required
def push_subscribe(request):
    """Register the tablet's push subscription with the notify channel, for its district and language."""
    webpush = actions._webpush_actions()
    if webpush is None:
        return JsonResponse({"error": "web push is not available on this server; the tablet polls"}, status=503)
    try:
        subscription = json.loads(request.body)
        endpoint = subscription["endpoint"]
        if not isinstance(endpoint, str) or not endpoint.startswith("https://") or len(endpoint) > 1000:
            raise ValueError("endpoint")
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "body: a PushSubscription as JSON with an https endpoint"}, status=400)
    household = request.device.household
    try:
        webpush.register_subscription(municipality=household.municipality, subscription=subscription,
                                      district_codes=[household.district.code], language=request.LANGUAGE_CODE)
    except ValidationError as error:
        return JsonResponse({"error": error.message_dict if hasattr(error, "error_dict") else error.messages},
                            status=400)
    actions.note_push_endpoint(request.device, endpoint)
    return JsonResponse({"ok": True})


def push_public_key() -> str:
    """The VAPID public key from the notify channel, or "" while it is not installed."""
    try:
        return import_module("toki.notify.selectors").webpush_public_key() or ""
    except (ImportError, AttributeError):
        return ""

