"""The household tablet as an installable app: its service worker (served under /tablet/ so that its scope covers
the tablet pages, with this deployment's hashed static URLs and a version made from them) and its manifest."""

import hashlib
import json

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

TABLET_STATIC = ("community/tablet.css", "community/tablet.js", "community/icon-192.png", "community/icon-512.png")


def _precache() -> list[str]:
    urls = [static(p) for p in TABLET_STATIC]
    if finders.find("notify/webpush.js"):
        urls.append(static("notify/webpush.js"))
    return urls


@require_GET
def service_worker(request):
    scope = reverse("community_tablet:home")
    urls = _precache()
    with open(finders.find("community/sw.js"), encoding="utf-8") as source:
        code = source.read()
    version = hashlib.sha256((code + "\n".join(urls)).encode()).hexdigest()[:16]
    body = (f"const TOKI_CACHE_VERSION = {json.dumps(version)};\n"
            f"const TOKI_PRECACHE = {json.dumps(urls)};\n"
            f"const TOKI_SCOPE = {json.dumps(scope)};\n"
            f"const TOKI_ALERT_URL = {json.dumps(reverse('community_tablet:alert'))};\n"
            f"const TOKI_NO_CACHE = {json.dumps([reverse('community_tablet:poll'), reverse('community_tablet:sw')])};\n"
            + code)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = scope
    return response


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
