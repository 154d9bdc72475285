"""The checker page (PWA) for the ferry window, bus drivers and the demand-rides driver: verifies credentials in
the browser against the published key, offline; records each use in IndexedDB and syncs it later
(docs/fares.md "Checker"). Like the shelter tablet, the page is a shell and its service worker is rendered here
(scope /fares/checker/, the hashed static URLs of this deployment in its bytes)."""


from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from toki.lib.service_worker import response as service_worker_response
from toki.lib.sync_batch import read_batch
from toki.transport.fares import selectors, uses
from toki.transport.fares.permissions import may_check

# The shelter tablet's store and sync loop, reused (docs/fares.md "Sync"); then this page's own.
CHECKER_SCRIPTS = ("vendor/jsqr-1.4.0/jsQR.js", "shelterops/scanner.js", "shelterops/store.js", "shelterops/sync.js",
                   "fares/verify.js", "fares/checker.js")
CHECKER_STATIC = ("fares/checker.css", "shelterops/icon-192.png", *CHECKER_SCRIPTS)
MAX_BODY = 512 * 1024


def strings() -> dict:
    return {
        "valid": _("Valid"), "invalid": _("Not valid"), "resident": _("Island resident"),
        "kind_card": _("Resident card"), "kind_day": _("Day pass"), "kind_sub30": _("30-day pass"),
        "kind_single": _("Single ride"), "until": _("Valid until %(time)s"),
        "error_malformed": _("This is not a Toki fare code."), "error_unknown_key": _("Signed by an unknown key."),
        "error_bad_signature": _("The signature is wrong (forged or damaged)."),
        "error_expired": _("Expired."), "error_revoked": _("Revoked."),
        "error_used": _("This single ride was already used on this device."),
        "offline": _("Offline: verifying with the saved key"), "online": _("Connected"),
        "unsent": _("%(count)s uses not sent yet"), "all_sent": _("All uses sent"),
        "no_keys": _("No key saved yet: connect once to download it."),
        "login": _("Please log in again. The uses wait on this device."),
        "double_use": _("Double use found when synced"),
    }


@require_GET
@login_required
@never_cache
@ensure_csrf_cookie
def checker(request):
    if not may_check(request.user):
        raise PermissionDenied
    config = {"jwksUrl": reverse("fares_jwks"), "revokedUrl": reverse("fares:revoked"),
              "usesUrl": reverse("fares:uses"), "serviceWorker": reverse("fares:checker_sw"),
              "scope": reverse("fares:checker"), "batch": uses.MAX_EVENTS, "strings": strings()}
    return render(request, "fares/checker.html", {"config": config, "scripts": CHECKER_SCRIPTS})


@require_GET
def service_worker(request):
    page = reverse("fares:checker")
    return service_worker_response("fares/sw.js", scope=page, constants={
        "TOKI_PRECACHE": [page] + [static(p) for p in CHECKER_STATIC], "TOKI_CHECKER_URL": page})


def _refused(request) -> JsonResponse | None:
    """Program endpoints answer 401 without a session and 403 to a stranger: the page then asks to log in again
    and keeps its uses (the shelter tablet's rule, docs/shelter-pwa.md)."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    if not may_check(request.user):
        return JsonResponse({"detail": "Forbidden"}, status=403)
    return None


@require_GET
@never_cache
def revoked(request):
    if (refusal := _refused(request)) is not None:
        return refusal
    return JsonResponse({"revoked": selectors.revocation_list(request.user)})


@require_POST
def record_uses(request):
    if (refusal := _refused(request)) is not None:
        return refusal
    batch = read_batch(request, max_body=MAX_BODY, max_events=uses.MAX_EVENTS)
    if isinstance(batch, JsonResponse):
        return batch
    device, events = batch
    results = uses.apply_uses(acting_user=request.user, device_id=device, events=events)
    return JsonResponse({"results": results})

