"""Values every template needs: the municipality, the languages for the switcher, and staff links."""

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from toki.alerts.selectors import is_alert_staff
from toki.areas.selectors import default_municipality


def _staff_links(user) -> list[tuple[str, str]]:
    """The staff pages this user may open (computed only when a template asks)."""
    links = []
    if is_alert_staff(user):
        links.append((_("Alerts received and issued"), reverse("alerts:staff_alerts")))
        links.append((_("Evacuation orders"), reverse("alerts:orders")))
    return links


def site(request):
    return {
        "municipality": default_municipality(),
        "site_languages": settings.LANGUAGES,
        "tile_url": settings.TOKI_TILE_URL,
        "staff_links": SimpleLazyObject(lambda: _staff_links(request.user)),
    }
