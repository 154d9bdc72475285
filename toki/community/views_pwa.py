"""The household tablet as an installable app: its service worker (served under /tablet/ so that its scope covers
the tablet pages, with this deployment's hashed static URLs and a version made from them) and its manifest."""

from django.contrib.staticfiles import finders
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from toki.lib.service_worker import response as service_worker_response

TABLET_STATIC = ("community/tablet.css", "community/tablet.js", "community/icon-192.png", "community/icon-512.png")


def _precache() -> list[str]:
    urls = [static(p) for p in TABLET_STATIC]
    if finders.find("notify/webpush.js"):
        urls.append(static("notify/webpush.js"))
    return urls


@require_GET
def service_worker(request):
    scope = reverse("community_tablet:home")
    return service_worker_response("community/sw.js", scope=scope, constants={
        "TOKI_PRECACHE": _precache(), "TOKI_SCOPE": scope, "TOKI_ALERT_URL": reverse("community_tablet:alert"),
        "TOKI_NO_CACHE": [reverse("community_tablet:poll"), reverse("community_tablet:sw")]})


@require_GET
def manifest(request):
    home = reverse("community_tablet:home")
    data = {
        "name": _("Toki — news and alerts for your home"), "short_name": _("Toki home"), "lang": get_language(),
        "start_url": home, "scope": home, "id": home, "display": "standalone", "orientation": "any",
        "background_color": "#ffffff", "theme_color": "#0b3d2e",
        "icons": [
            {"src": static("community/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("community/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any maskable"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
