from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from toki.api import api
from toki.portal.views import lite_preview
from toki.transport.fares.views_public import jwks as fares_jwks

# Error pages in the reader's language with the site header (toki/portal/errors.py).
handler400 = "toki.portal.errors.bad_request"
handler403 = "toki.portal.errors.permission_denied"
handler404 = "toki.portal.errors.page_not_found"
handler500 = "toki.portal.errors.server_error"

urlpatterns = [
    path("", include("toki.portal.urls")),
    path("accounts/", include("toki.accounts.urls")),
    path("alerts/", include("toki.alerts.urls")),
    path("cap/", include("toki.alerts.urls_cap")),
    path("lifelines/", include("toki.lifelines.urls")),
    path("notices/", include("toki.notices.urls")),
    path("kpi/", include("toki.kpi.urls")),
    path("posts/", include("toki.posts.urls")),
    path("portal/", include("toki.portal.urls_staff")),
    path("hq/damage/", include("toki.hq.damage.urls")),
    path("hq/", include("toki.hq.urls")),
    path("notify/", include("toki.notify.urls")),
    path("line/", include("toki.linebot.urls")),
    path("shelter-ops/", include("toki.shelters.urls_ops")),
    path("registry/", include("toki.registry.urls")),
    path("fares/", include("toki.transport.fares.urls")),
    path(".well-known/toki-fares-jwks.json", fares_jwks, name="fares_jwks"),

    path("transit/", include("toki.transport.transit.urls")),
    path("community/", include("toki.community.urls")),
    path("tablet/", include("toki.community.urls_tablet")),
    path("rides/", include("toki.transport.rides.urls")),
    path("api/v1/", api.urls),
]

if settings.DEBUG:  # production serves uploads and the 軽量版 from nginx (deploy/nginx/)
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    urlpatterns += [path("lite/", lite_preview), path("lite/<path:path>", lite_preview)]
