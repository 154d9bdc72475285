"""Creating Toki's rich menus through the Messaging API, choosing the default one, and per-user tourist menus.

A menu is recognised by its name, `toki-<key>-<fingerprint>`: running `line_richmenus` again with nothing changed
creates nothing; a changed menu is created anew, made default if it should be, and the old one deleted. The default
menu follows the portal's disaster mode (the 災害モード menu while it is on). A subscriber who chose "Tourist /
English" gets the tourist menu linked to them (it wins over the default); choosing 日本語 unlinks it.
"""

import logging
from dataclasses import dataclass, field

import urllib3
from django.core.cache import cache
from linebot.v3.messaging import ApiException, RichMenuBulkLinkRequest, RichMenuRequest

from toki.linebot.richmenus import NAME_PREFIX, Menu, find_font, menus, render_image
from toki.notify.line import client

logger = logging.getLogger(__name__)

LINK_BATCH = 500  # RichMenuBulkLinkRequest.userIds ≤ 500
# The tourist menu's id, kept a few minutes: LINE allows 10 rich menu list requests a second, and a crowd of
# visitors tapping "English" at once must not each list the menus. Only a menu found is kept: "there is no tourist
# menu" is never remembered (the next tap looks again), and a kept id LINE no longer knows is looked up again at
# once, so no cache needs clearing from another process when `line_richmenus` creates or replaces the menu.
TOURIST_MENU_CACHE_KEY = "toki:line:tourist-richmenu"
TOURIST_MENU_CACHE_SECONDS = 300


@dataclass
class SyncReport:
    created: dict = field(default_factory=dict)  # key → rich menu id
    kept: dict = field(default_factory=dict)
    deleted: list = field(default_factory=list)
    default_key: str = ""
    relinked: int = 0


def menu_name(menu: Menu, image: bytes) -> str:
    return f"{NAME_PREFIX}{menu.key}-{menu.fingerprint(image)}"


def key_of(name: str) -> str:
    """'normal' for 'toki-normal-0123abcd4567'; '' for a menu Toki did not make."""
    if not name.startswith(NAME_PREFIX):
        return ""
    return name[len(NAME_PREFIX):].rpartition("-")[0]


def existing_menus(api) -> dict[str, list[tuple[str, str]]]:
    """Toki's menus on the channel: key → [(name, rich menu id)]."""
    found: dict[str, list[tuple[str, str]]] = {}
    for menu in api.get_rich_menu_list(_request_timeout=client.request_timeout()).richmenus:
        key = key_of(menu.name or "")
        if key:
            found.setdefault(key, []).append((menu.name, menu.rich_menu_id))
    return found


def sync_menus(*, font_file: tuple[str, int] | None = None, municipality=None) -> SyncReport:
    """Create the menus that changed (validate, create, upload the image), set the default for the disaster mode
    of `municipality` now, relink tourists to a new tourist menu, then delete Toki's outdated menus."""
    font_file = font_file or find_font()
    report = SyncReport()
    with client.messaging_api() as api, client.messaging_blob_api() as blob:
        found = existing_menus(api)
        current: dict[str, str] = {}
        for menu in menus():
            image = render_image(menu, font_file)
            name = menu_name(menu, image)
            match = [rich_menu_id for existing_name, rich_menu_id in found.get(menu.key, []) if existing_name == name]
            if match:
                current[menu.key] = report.kept[menu.key] = match[0]
                continue
            request = RichMenuRequest.from_dict(menu.request(name))
            api.validate_rich_menu_object(request, _request_timeout=client.request_timeout())
            rich_menu_id = api.create_rich_menu(request, _request_timeout=client.request_timeout()).rich_menu_id
            blob.set_rich_menu_image(rich_menu_id, image, _headers={"Content-Type": "image/png"},
                                     _request_timeout=client.request_timeout())
            current[menu.key] = report.created[menu.key] = rich_menu_id
        if "tourist" in current:
            cache.set(TOURIST_MENU_CACHE_KEY, current["tourist"], TOURIST_MENU_CACHE_SECONDS)
        report.default_key = _set_default(api, current, municipality)
        if "tourist" in report.created:
            report.relinked = _relink_tourists(api, current["tourist"])
        for key, entries in found.items():
            for _name, rich_menu_id in entries:
                if current.get(key) != rich_menu_id:
                    api.delete_rich_menu(rich_menu_id, _request_timeout=client.request_timeout())
                    report.deleted.append(rich_menu_id)
    return report


def _disaster_mode_on(municipality) -> bool:
    from toki.areas.selectors import default_municipality
    from toki.portal.site_mode import disaster_mode

    return disaster_mode(municipality or default_municipality()) is not None


def _set_default(api, current: dict[str, str], municipality) -> str:
    key = "disaster" if _disaster_mode_on(municipality) else "normal"
    if key not in current:
        logger.warning("LINE rich menus: no %s menu on the channel; run manage.py line_richmenus", key)
        return ""
    api.set_default_rich_menu(current[key], _request_timeout=client.request_timeout())
    return key


def _relink_tourists(api, rich_menu_id: str) -> int:
    from toki.notify.selectors import tourist_line_user_ids

    user_ids = tourist_line_user_ids()
    for start in range(0, len(user_ids), LINK_BATCH):
        api.link_rich_menu_id_to_users(RichMenuBulkLinkRequest(rich_menu_id=rich_menu_id,
                                                               user_ids=user_ids[start:start + LINK_BATCH]),
                                       _request_timeout=client.request_timeout())
    return len(user_ids)


def apply_default_menu(municipality_id: int) -> str:
    """Make the default menu match the municipality's disaster mode as it is now; returns the key set ("" if
    none). Reading the mode when the task runs (not when it was enqueued) makes quick on/off switches end right."""
    from toki.areas.selectors import municipality_by_id

    if not client.is_configured():
        logger.info("LINE rich menus: LINE_CHANNEL_ACCESS_TOKEN is empty, default menu not switched")
        return ""
    municipality = municipality_by_id(municipality_id)
    with client.messaging_api() as api:
        current = {key: entries[0][1] for key, entries in existing_menus(api).items()}
        key = _set_default(api, current, municipality)
    logger.info("LINE rich menus: default menu is now %s", key or "unchanged")
    return key


def tourist_menu_id(api, *, fresh: bool = False) -> str:
    """The tourist menu's rich menu id ("" when the channel has none), from the cache unless `fresh`."""
    if not fresh:
        cached = cache.get(TOURIST_MENU_CACHE_KEY)
        if cached:
            return cached
    entries = existing_menus(api).get("tourist") or []
    if not entries:
        cache.delete(TOURIST_MENU_CACHE_KEY)
        return ""
    cache.set(TOURIST_MENU_CACHE_KEY, entries[0][1], TOURIST_MENU_CACHE_SECONDS)
    return entries[0][1]


def _link_tourist_menu(api, user_id: str) -> None:
    tourist = tourist_menu_id(api)
    if not tourist:
        logger.warning("LINE rich menus: no tourist menu on the channel; run manage.py line_richmenus")
        return
    try:
        api.link_rich_menu_id_to_user(user_id, tourist, _request_timeout=client.request_timeout())
    except ApiException as exc:
        if exc.status != 404:
            raise
        tourist = tourist_menu_id(api, fresh=True)  # the kept menu was replaced meanwhile
        if tourist:
            api.link_rich_menu_id_to_user(user_id, tourist, _request_timeout=client.request_timeout())


def link_menu_for_audience(user_id: str, audience: str) -> None:
    """Give a tourist the English menu, and a resident back the default one. A failure is logged (never the user
    id) and does not stop the reply: the setting itself is saved."""
    if not client.is_configured():
        return
    try:
        with client.messaging_api() as api:
            if audience == "tourist":
                _link_tourist_menu(api, user_id)
            else:
                api.unlink_rich_menu_id_from_user(user_id, _request_timeout=client.request_timeout())
    except ApiException as exc:
        logger.warning("LINE rich menus: linking a user's menu refused with HTTP %s", exc.status)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        logger.warning("LINE rich menus: linking a user's menu failed: %s", type(exc).__name__)
