"""Render a whole snapshot of the 軽量版: every page in every language, and the JSON documents.

The pages use their own small templates (portal/templates/portal/static_site/) rather than the dynamic pages
rendered in a "snapshot mode": the dynamic pages inherit base.html, which loads htmx, the staff navigation, the
language-switch and survey forms and the Leaflet map, and serve readers with cookies; a snapshot needs none of
that and must stay under PAGE_BUDGET bytes on a 3G phone. The data comes from the same selectors and presenters
as the dynamic pages (toki.portal.static_site.data), and the wording from the same translated msgids.

Layout: one directory per language (ja/, ja-easy/, en/, zh-hans/, ko/), each with index.html, warnings.html,
shelters.html (+ shelters-<district>.html), lifelines.html, notices.html (+ notice-<id>.html) and tourist.html;
a root index.html that is the Japanese home page; data/*.json. Links are relative, so the tree works under any
prefix (/lite/, /, a bucket).
"""

import json
import logging
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify

from toki.alerts.in_force import titles_of_states
from toki.areas.selectors import default_municipality
from toki.notices.presenters import shown_all
from toki.portal.order_card import order_cards
from toki.portal.site_mode import banner_texts
from toki.portal.situation import FEED_STALE_AFTER
from toki.portal.static_site.data import JSON_DOCUMENTS, SiteData, collect

logger = logging.getLogger(__name__)

PAGE_BUDGET = 50 * 1024  # bytes of HTML per page, images excluded (the limit)
DEFAULT_LANGUAGE = "ja"
PAGES = ("index", "warnings", "shelters", "lifelines", "notices", "tourist")


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def html_lang(code: str) -> str:
    return "ja" if code == "ja-easy" else code


def district_slug(group: dict) -> str:
    return slugify(group["district"].code) if group["district"] else "other"


def _situation(data: SiteData, generated_at: datetime) -> dict:
    """The same facts as toki.portal.situation, worded in the active language, from rows already loaded."""
    levels = sorted({order.level for order in data.orders}, reverse=True)
    last = data.feed_last_success
    return {
        "order_groups": [{"level": level, "orders": [o for o in data.orders if o.level == level]} for level in levels],
        "warning_titles": titles_of_states(data.warnings, translation.get_language() or "ja"),
        "feed_last_success": last,
        "feed_is_fresh": bool(last and generated_at - last < FEED_STALE_AFTER),
    }


def _common(data: SiteData, language: str, root: str, generated_at: datetime) -> dict:
    mode = data.mode
    return {
        "municipality": data.municipality,
        "lang": language,
        "html_lang": html_lang(language),
        "root": root,  # prefix from this page to the snapshot's root ("" for /index.html, "../" inside ja/ …)
        "here": f"{root}{language}/",
        "site_languages": settings.LANGUAGES,
        "generated_at": generated_at,
        "site_url": settings.SITE_URL.rstrip("/"),
        "disaster": {"texts": banner_texts(mode, language)} if mode else None,
        "order_cards": order_cards(data.orders, data.open_shelters, _sites(data)),
        **_situation(data, generated_at),
    }


def _sites(data: SiteData) -> dict:
    """The snapshot's shelters by id (for the order cards' addresses), from the rows already loaded."""
    return {shelter.pk: shelter for group in data.shelter_groups for shelter in group["shelters"]}


def _render(template: str, context: dict) -> bytes:
    return render_to_string(f"portal/static_site/{template}", context).encode("utf-8")


def render_language(data: SiteData, language: str, generated_at: datetime) -> dict[str, bytes]:
    """Every page of one language, keyed by path inside the snapshot."""
    files = {}
    with translation.override(language):
        common = _common(data, language, "../", generated_at)
        base = f"{language}/"
        notices = _shown_notices(data, language)
        files[base + "index.html"] = _render("home.html", {**common, "data": data, "notices": notices,
                                                           "page": "index"})
        files[base + "warnings.html"] = _render("warnings.html", {**common, "page": "warnings"})
        groups = [{**group, "slug": district_slug(group)} for group in data.shelter_groups]
        files[base + "shelters.html"] = _render("shelters.html", {**common, "groups": groups, "page": "shelters"})
        for group in groups:
            files[base + f"shelters-{group['slug']}.html"] = _render(
                "shelters_district.html",
                {**common, "group": group, "page": "shelters", "same_page": f"shelters-{group['slug']}"})
        files[base + "lifelines.html"] = _render("lifelines.html", {**common, "data": data, "page": "lifelines"})
        files[base + "notices.html"] = _render("notices.html", {**common, "items": notices, "page": "notices"})
        for item in notices:
            files[base + f"notice-{item.notice.pk}.html"] = _render(
                "notice.html", {**common, "item": item, "page": "notices", "same_page": f"notice-{item.notice.pk}"})
        files[base + "tourist.html"] = _render("tourist.html", {**common, "data": data, "page": "tourist"})
        # The root index.html is the Japanese home page with links one level up.
        if language == DEFAULT_LANGUAGE:
            root_common = _common(data, language, "", generated_at)
            files["index.html"] = _render("home.html", {**root_common, "data": data, "notices": notices,
                                                        "page": "index"})
    return files


def _shown_notices(data: SiteData, language: str) -> list:
    return shown_all(data.notices, language)


def build_snapshot(generated_at: datetime) -> dict[str, bytes]:
    """All files of a snapshot: {path inside the snapshot: bytes}. Reads the database once."""
    data = collect(default_municipality())
    files: dict[str, bytes] = {}
    for language in languages():
        files.update(render_language(data, language, generated_at))
    for path, make in JSON_DOCUMENTS.items():
        document = make(data, generated_at)
        files[path] = (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    files["data/manifest.json"] = (json.dumps({
        "generated_at": generated_at.isoformat(),
        "languages": languages(),
        "files": sorted(files),
    }, ensure_ascii=False) + "\n").encode("utf-8")
    for path, content in files.items():
        if path.endswith(".html") and len(content) > PAGE_BUDGET:
            # Published anyway (a long notice is better shown than withheld); the test suite keeps the pages
            # Toki generates within the budget, and this warning shows when content pushes one over.
            logger.warning("static site: %s is %d bytes, over the %d-byte budget", path, len(content), PAGE_BUDGET)
    return files
