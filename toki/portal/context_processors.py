"""Values every template needs: the municipality, the languages for the switcher, staff links, the disaster-mode
banner and, on public pages, the evacuation orders in force (toki.portal.order_card)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from toki.alerts.permissions import is_alert_staff
from toki.areas.selectors import default_municipality
from toki.hq.permissions import may_read_incidents
from toki.lifelines.permissions import may_manage_lifelines
from toki.notices.permissions import may_manage_notices
from toki.portal.live import public_state
from toki.portal.order_card import order_cards_now
from toki.portal.permissions import may_switch_mode, may_view_kpi
from toki.portal.site_mode import banner_texts, disaster_mode
from toki.posts.permissions import may_moderate
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


# The public pages (namespace, and URL names or None for all of the namespace's pages): where the evacuation
# orders in force lead the page. Staff pages leave them out (they have the HQ board and the orders page).
PUBLIC_PAGES = {"portal": None, "lifelines": {"index"}, "notices": {"list", "detail"},
                "posts": {"list", "new", "thanks"}}


def _disaster_banner(municipality, live):
    """The disaster-mode message in the reader's language, or None in normal times. Public pages read the switch
    with the public state (one query for both)."""
    mode = live.mode if live is not None else disaster_mode(municipality)
    if mode is None:
        return None
    return {"mode": mode, "texts": banner_texts(mode, translation.get_language() or "ja")}


def is_public_page(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace not in PUBLIC_PAGES:
        return False
    names = PUBLIC_PAGES[match.namespace]
    return names is None or match.url_name in names


def _order_cards(live, municipality) -> list[dict]:
    return order_cards_now(municipality) if live and live.orders_in_force else []


def site(request):
    municipality = default_municipality()
    read: dict = {}

    def live():  # read once per request, only when a template asks
        if "state" not in read:
            read["state"] = public_state(municipality) if is_public_page(request) else None
        return read["state"]

    return {
        "municipality": municipality,
        "disaster": SimpleLazyObject(lambda: _disaster_banner(municipality, live())),
        "live": SimpleLazyObject(live),
        "order_cards": SimpleLazyObject(lambda: _order_cards(live(), municipality)),
        "site_languages": settings.LANGUAGES,
        "tile_url": settings.TOKI_TILE_URL,
        "staff_links": SimpleLazyObject(lambda: _staff_links(request.user)),
    }
