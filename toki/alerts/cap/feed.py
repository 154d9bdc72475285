"""The Atom index of the public CAP alerts (OASIS "CAP Feeds" practice; what Google Public Alerts polls).

Each entry names one alert and links to its full CAP document with `type="application/cap+xml"`.
"""

from datetime import datetime

from django.urls import reverse
from lxml import etree

from toki.alerts.cap.build import cap_time, site_url
from toki.alerts.cap.mapping import sender_name
from toki.alerts.models import Alert

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CAP_MIME = "application/cap+xml"
ATOM_MIME = "application/atom+xml"


def alert_url(alert: Alert) -> str:
    return site_url() + reverse("cap:alert", kwargs={"pk": alert.pk})


def feed_url() -> str:
    return site_url() + reverse("cap:feed")


def build_feed(municipality, alerts: list[Alert], updated: datetime) -> bytes:
    root = etree.Element(_q("feed"), nsmap={None: ATOM_NS})
    root.set(XML_LANG, "ja")
    _add(root, "id", feed_url())
    _add(root, "title", f"{municipality.name} 防災情報 / {municipality.name_en or municipality.name} alerts (CAP)")
    _add(root, "updated", cap_time(updated))
    _link(root, "self", feed_url(), ATOM_MIME)
    _link(root, "alternate", site_url() + "/", "text/html")
    author = etree.SubElement(root, _q("author"))
    _add(author, "name", municipality.name)
    _add(author, "uri", site_url() + "/")
    for alert in alerts:
        entry = etree.SubElement(root, _q("entry"))
        _add(entry, "id", alert_url(alert))
        _add(entry, "title", alert.title)
        _add(entry, "updated", cap_time(alert.sent_at))
        entry_author = etree.SubElement(entry, _q("author"))
        _add(entry_author, "name", sender_name(alert, "ja"))
        _link(entry, "alternate", alert_url(alert), CAP_MIME)
        if alert.headline:
            _add(entry, "summary", alert.headline[:500])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _q(name: str) -> str:
    return f"{{{ATOM_NS}}}{name}"


def _add(parent, name: str, text: str) -> None:
    etree.SubElement(parent, _q(name)).text = text


def _link(parent, rel: str, href: str, mime: str) -> None:
    etree.SubElement(parent, _q("link"), rel=rel, href=href, type=mime)
