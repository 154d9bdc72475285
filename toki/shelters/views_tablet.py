"""The offline shelter tablet (docs/shelter-pwa.md): the page shell, its service worker and its web app manifest.

The page is a shell: everything it shows comes from IndexedDB (the roster snapshot and the tablet's own events),
filled from the sync API (docs/shelter-ops-sync.md). So the same cached HTML works with no connection at all.
The service worker is rendered here, not served as a static file, for two reasons: its scope must cover
/shelter-ops/tablet/ (a script under /static/ could only control /static/), and it must list the hashed static
URLs of this deployment, so that a new release changes its bytes and tablets pick the new files up.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from toki.lib.service_worker import response as service_worker_response
from toki.shelters.permissions import may_use_tablet

# Static files the tablet needs offline, in load order (scripts) — the service worker precaches all of them.
TABLET_SCRIPTS = (
    "vendor/jsqr-1.4.0/jsQR.js",
    "shelterops/store.js",
    "shelterops/sync.js",
    "shelterops/scanner.js",
    "shelterops/tablet.js",
)
TABLET_STATIC = ("shelterops/tablet.css", *TABLET_SCRIPTS, "shelterops/icon-192.png", "shelterops/icon-512.png")
SYNC_BATCH = 200  # events per request: the contract's limit (docs/shelter-ops-sync.md §3)


def _url(name: str) -> str:
    """reverse() in urls_ops' namespace, whatever it is (the file is shared with the staff pages)."""
    namespace = getattr(import_module("toki.shelters.urls_ops"), "app_name", "")
    return reverse(f"{namespace}:{name}" if namespace else name)


def _scope() -> str:
    """/shelter-ops/: the service worker controls the tablet page and nothing outside shelter operations."""
    return _url("shelter_tablet").rstrip("/").rsplit("/", 1)[0] + "/"


def tablet_strings() -> dict[str, str]:
    """What tablet.js writes on the page, in the page's language (the rest is in the template)."""
    return {
        "online": _("Connected"),
        "offline": _("No connection — everything is saved on this tablet"),
        "syncing": _("Sending…"),
        "all_synced": _("Everything is sent"),
        "not_synced": _("%(count)s not sent yet"),
        "login_needed": _("Please log in again. Nothing is lost: the records wait on this tablet."),
        "people_in": _("People here"),
        "households_in": _("Households"),
        "checked_in": _("In the shelter"),
        "checked_out": _("Left the shelter"),
        "transferred": _("Moved to another shelter"),
        "planned": _("Expected"),
        "check_in": _("Check in"),
        "check_out": _("Check out"),
        "register_household": _("New registration"),
        "update_household": _("Correction"),
        "checked_in_done": _("Checked in: %(name)s"),
        "checked_out_done": _("Checked out: %(name)s"),
        "and_others": _("%(name)s and %(count)s more"),
        "people": _("%(count)s people"),
        "unknown_card": _("Card read. This household is not on this tablet yet: the server will find it."),
        "not_toki_card": _("This is not a Toki shelter card."),
        "already_here": _("Already checked in"),
        "card_household": _("Card holder (found when sent)"),
        "camera_denied": _("The camera is not allowed. Allow it in the browser settings, or use the form."),
        "camera_missing": _("No camera found. Use the form."),
        "camera_error": _("The camera could not start. Use the form."),
        "scanning": _("Hold the QR code in front of the camera"),
        "rejected": _("Not accepted"),
        "pending": _("Waiting"),
        "sent": _("Sent"),
        "dismiss": _("Seen — remove"),
        "no_opening": _("No shelter of yours is open. Ask the disaster HQ to open it."),
        "nobody": _("Nobody yet."),
        "drill": _("Drill"),
        "kana_required": _("Please enter the name in kana."),
        "last_update": _("List from the server: %(time)s"),
        "never_updated": _("No list from the server yet"),
        "error_unknown_household": _("household not found"),
        "error_unknown_member": _("person not found"),
        "error_unknown_qr": _("QR code not valid (reissued or unknown)"),
        "error_household_exists": _("household already registered"),
        "error_opening_closed": _("the shelter was already closed"),
        "error_invalid_payload": _("a field is not valid"),
        "error_invalid_time": _("the tablet's clock is wrong"),
        "error_personal_number_refused": _("contained a 12-digit number (My Number is never stored)"),
        "error_not_in_household": _("person is not in this household"),
        "error_malformed": _("the server could not read it"),
        "error_invalid_event": _("the server could not read it"),
        "log_in": _("Log in"),
        "idle_forgotten": _("The list of people was deleted from this tablet after %(minutes)s minutes without use. "
                            "Log in again to load it."),
    }


@require_GET
@login_required
@never_cache
@ensure_csrf_cookie
def tablet(request):
    if not may_use_tablet(request.user):
        raise PermissionDenied
    config = {
        "openingsUrl": "/api/v1/shelters/staff/openings",
        "rosterUrl": "/api/v1/shelters/openings/{id}/roster",
        "eventsUrl": "/api/v1/shelters/openings/{id}/events",
        "loginUrl": reverse("accounts:login") + "?next=" + _url("shelter_tablet"),
        "logoutUrl": reverse("accounts:logout"),
        "idleMinutes": settings.TOKI_SHELTER_TABLET_IDLE_MINUTES,
        "batch": SYNC_BATCH,
        "serviceWorker": _url("shelter_tablet_sw"),
        "scope": _scope(),
        "strings": tablet_strings(),
    }
    return render(request, "shelters/tablet.html", {
        "config": config, "scripts": TABLET_SCRIPTS, "language": get_language(),
        "idle_minutes": settings.TOKI_SHELTER_TABLET_IDLE_MINUTES,
        "urls": {"tablet": _url("shelter_tablet"), "manifest": _url("shelter_tablet_manifest")},
    })


def _precache_urls() -> list[str]:
    return [_url("shelter_tablet"), _url("shelter_tablet_manifest")] + [static(p) for p in TABLET_STATIC]


@require_GET
def service_worker(request):
    """The tablet's service worker, with this deployment's asset URLs and a version derived from them."""
    return service_worker_response("shelterops/sw.js", scope=_scope(), constants={
        "TOKI_PRECACHE": _precache_urls(), "TOKI_TABLET_URL": _url("shelter_tablet")})


@require_GET
def manifest(request):
    """The web app manifest: installable on a tablet's home screen, opens full screen on the tablet page."""
    data = {
        "name": _("Toki shelter reception"),
        "short_name": _("Shelter reception"),
        "lang": get_language(),
        "start_url": _url("shelter_tablet"),
        "scope": _scope(),
        "id": _url("shelter_tablet"),
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#12355b",
        "icons": [
            {"src": static("shelterops/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("shelterops/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any maskable"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response

