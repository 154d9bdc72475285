"""Values every template needs: the municipality, the languages for the switcher, and staff links."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from toki.alerts.selectors import is_alert_staff
from toki.areas.selectors import default_municipality
from toki.hq.permissions import may_read_incidents
from toki.lifelines.selectors import may_manage_lifelines
from toki.notices.actions import may_manage_notices
from toki.portal.kpi import may_view_kpi
from toki.portal.site_mode import disaster_mode, may_switch_mode
from toki.posts.selectors import may_moderate
from toki.shelters.permissions import may_use_shelter_ops, may_use_tablet


def _staff_links(user) -> list[tuple[str, str]]:
    """The staff pages this user may open (computed only when a template asks)."""
    links = []
    if may_read_incidents(user):
        links.append((_("Disaster HQ"), reverse("hq:incidents")))
        links.append((_("My instructions"), reverse("hq:my_instructions")))
    if is_alert_staff(user):
        links.append((_("Alerts received and issued"), reverse("alerts:staff_alerts")))
        links.append((_("Evacuation orders"), reverse("alerts:orders")))
    if may_use_shelter_ops(user):
        links.append((_("Shelter operations"), reverse("shelters_index")))
    if may_use_tablet(user):
        links.append((_("Tablet check-in (works offline)"), reverse("shelter_tablet")))
    if may_switch_mode(user):
        links.append((_("Disaster mode"), reverse("portal_staff:mode")))
    if may_view_kpi(user):
        links.append((_("Portal KPIs"), reverse("portal_staff:kpi")))
    if may_manage_lifelines(user):
        links.append((_("Lifeline status"), reverse("lifelines:manage")))
    if may_moderate(user):
        links.append((_("Moderate posts"), reverse("posts:moderate")))
    if may_manage_notices(user):
        links.append((_("Manage notices"), reverse("notices:manage_list")))
    return links


def _disaster_banner(municipality):
    """The disaster-mode message in the reader's language, or None in normal times."""
    mode = disaster_mode(municipality) if municipality else None
    if mode is None:
        return None
    return {"mode": mode, "message": mode.message_for(translation.get_language() or "ja")}


def site(request):
    municipality = default_municipality()
    return {
        "municipality": municipality,
        "disaster": SimpleLazyObject(lambda: _disaster_banner(municipality)),
        "site_languages": settings.LANGUAGES,
        "tile_url": settings.TOKI_TILE_URL,
        "staff_links": SimpleLazyObject(lambda: _staff_links(request.user)),
    }
