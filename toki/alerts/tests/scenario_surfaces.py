"""What a resident and a tourist see after a scenario step, read the way they read it: the portal pages through
the URLconf (Django's test client), the static 軽量版 files as nginx would serve them, the public API, the CAP feed
and message, and what the local LINE server received. No database reads: only what leaves Toki."""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.utils import translation
from lxml import etree

from toki.alerts.tests.scenario_files import LANGUAGES

NOTHING_IN_FORCE = "No evacuation order or warning received by this site is in force."
PORTAL_PAGES = (("home", "/"), ("warnings", "/warnings/"), ("tourist", "/tourist/"))
LITE_PAGES = (("lite home", "index.html"), ("lite warnings", "warnings.html"), ("lite tourist", "tourist.html"))
# The "in force" box of each page: the dynamic pages' <section aria-labelledby="warnings-heading"> and the
# 軽量版's <section aria-labelledby="now-h"> (templates portal/includes/situation.html, static_site/includes/...).
BOX_LABELS = ("warnings-heading", "now-h")
CAP_NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}


class _SectionText(HTMLParser):
    """The text of the first <section> whose aria-labelledby is one of BOX_LABELS, and (if asked) the whole
    page's text."""

    def __init__(self, whole_page: bool):
        super().__init__(convert_charrefs=True)
        self.whole_page = whole_page
        self.depth = 0  # >0 while inside the box
        self.found = False
        self.box: list[str] = []
        self.page: list[str] = []
        self.skip = 0  # inside <script>/<style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if self.depth:
            if tag == "section":
                self.depth += 1
        elif tag == "section" and not self.found and dict(attrs).get("aria-labelledby") in BOX_LABELS:
            self.depth, self.found = 1, True

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if self.depth and tag == "section":
            self.depth -= 1

    def handle_data(self, data):
        if self.skip:
            return
        if self.whole_page:
            self.page.append(data)
        if self.depth:
            self.box.append(data)


def _squash(parts: list[str]) -> str:
    return " ".join(" ".join(parts).split())


def page_texts(html: str, *, whole_page: bool = False) -> tuple[str | None, str]:
    """(text of the in-force box or None when the page has none, text of the whole page if asked)."""
    parser = _SectionText(whole_page)
    parser.feed(html)
    return (_squash(parser.box) if parser.found else None), _squash(parser.page)


@dataclass
class Surface:
    """One place a person reads: its name, language, HTTP status (0 for a file), and the texts seen."""

    name: str
    language: str
    status: int
    box: str | None = None  # the in-force box (None: the page has none)
    page: str = ""
    error: str = ""


@dataclass
class Observation:
    surfaces: list[Surface] = field(default_factory=list)
    line: dict = field(default_factory=dict)  # language → [message texts new in this step]
    cap: dict = field(default_factory=dict)  # the newest CAP message of the feed, flattened
    cap_error: str = ""
    api: dict = field(default_factory=dict)  # language → /api/v1/alerts/current JSON


def nothing_in_force_text(language: str) -> str:
    with translation.override(language):
        return translation.gettext(NOTHING_IN_FORCE)


def _portal(client: Client, language: str) -> list[Surface]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    seen = []
    for name, url in PORTAL_PAGES:
        response = client.get(url)
        html = response.content.decode("utf-8", "replace") if response.status_code == 200 else ""
        box, page = page_texts(html, whole_page=name == "warnings")  # the timeline is on /warnings/
        seen.append(Surface(name, language, response.status_code, box, page))
    return seen


def _lite(language: str) -> list[Surface]:
    root = Path(settings.TOKI_STATIC_SITE_DIR) / "current" / language
    seen = []
    for name, file in LITE_PAGES:
        path = root / file
        if not path.is_file():
            seen.append(Surface(name, language, 404, error=f"{path.relative_to(path.parents[2])} was not published"))
            continue
        box, page = page_texts(path.read_text(encoding="utf-8"))
        seen.append(Surface(name, language, 200, box, page))
    return seen


def _api(client: Client, language: str) -> tuple[Surface, dict]:
    response = client.get("/api/v1/alerts/current", {"lang": language})
    if response.status_code != 200:
        return Surface("API current", language, response.status_code), {}
    data = response.json()
    # What the API says is in force: the warnings as the portal's box words them, and the orders' alerts.
    order_alerts = {order["alert_id"] for order in data["evacuation_orders"]}
    titles = data["in_force"] + [alert["title"] for alert in data["alerts"] if alert["id"] in order_alerts]
    box = " | ".join(titles) if titles or data["warnings"] or data["evacuation_orders"] else None
    return Surface("API current", language, 200, box, json.dumps(data, ensure_ascii=False)), data


def _cap(client: Client) -> tuple[dict, str]:
    feed = client.get("/cap/feed.atom")
    if feed.status_code != 200:
        return {}, f"/cap/feed.atom answered {feed.status_code}"
    entries = etree.fromstring(feed.content).findall("atom:entry", ATOM_NS)
    if not entries:
        return {"entries": 0}, ""
    link = entries[0].find("atom:link", ATOM_NS).get("href")
    path = "/" + link.split("://", 1)[-1].split("/", 1)[-1]
    message = client.get(path)
    if message.status_code != 200:
        return {"entries": len(entries)}, f"{path} answered {message.status_code}"
    root = etree.fromstring(message.content)
    infos = root.findall("cap:info", CAP_NS)
    flat = {"entries": len(entries), "url": path,
            "msgType": root.findtext("cap:msgType", namespaces=CAP_NS),
            "status": root.findtext("cap:status", namespaces=CAP_NS),
            "infos": [{child: info.findtext(f"cap:{child}", namespaces=CAP_NS) or ""
                       for child in ("language", "responseType", "urgency", "severity", "certainty", "category",
                                     "headline", "event")}
                      for info in infos]}
    return flat, ""


def observe(client: Client, line_server, subscribers: dict, seen_counts: dict) -> Observation:
    """Everything a person could see now. `seen_counts` (address → messages already counted) is updated."""
    observation = Observation()
    for language in LANGUAGES:
        observation.surfaces.extend(_portal(client, language))
        observation.surfaces.extend(_lite(language))
        surface, data = _api(client, language)
        observation.surfaces.append(surface)
        observation.api[language] = data
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    observation.cap, observation.cap_error = _cap(client)
    for language, address in subscribers.items():
        received = line_server.received.get(address, [])
        new = received[seen_counts.get(address, 0):]
        seen_counts[address] = len(received)
        observation.line[language] = ["\n".join(m.get("text", "") for m in d.messages) for d in new]
    return observation
