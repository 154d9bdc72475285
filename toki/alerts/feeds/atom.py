"""parse_feed(): the bytes of one JMA Atom PULL feed → its entries, oldest `updated` first.

The feed comes from the network, so it is screened the way telegrams are (toki.alerts.jma.xmlsafe): a size
cap, UTF-8 only, and no DOCTYPE or entity declaration (which rules out "billion laughs" and other entity
bombs: without a DTD nothing can be expanded). A document that is not an Atom feed — malformed XML, another
root element, another namespace — raises FeedError with the reason, and nothing of it is used.

One bad entry does not sink the feed: an entry without a usable link or `updated` is reported in
`Feed.problems` (position, id, reason) and the other entries are still returned, because the telegrams they
point to may be warnings people are waiting for.

Shape (reference §1; e.g. https://www.data.jma.go.jp/developer/xml/feed/extra.xml):

    <feed xmlns="http://www.w3.org/2005/Atom"><title>高頻度（随時）</title><updated>…</updated>
      <entry><title>気象警報・注意報（Ｈ２７）</title><id>…</id><updated>2024-03-18T13:04:05Z</updated>
        <author><name>新潟地方気象台</name></author>
        <link type="application/xml" href="https://www.data.jma.go.jp/developer/xml/data/….xml"/>
        <content type="text">【新潟県気象警報・注意報】…</content></entry> …
"""

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from toki.lib.xmlguard import screen_xml

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_TAG = f"{{{ATOM_NS}}}feed"
ENTRY_TAG = f"{{{ATOM_NS}}}entry"

# JMA's high-frequency feeds are tens of kilobytes and the long ones a few megabytes.
MAX_FEED_BYTES = 5 * 1024 * 1024
MAX_URL_LENGTH = 500  # Telegram.url and QuarantinedInput.url hold 500 characters

_LINK_RELS = {"", "alternate"}


class FeedError(ValueError):
    """The document is not a usable Atom feed; the message says why."""


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    updated: datetime  # aware
    author: str
    link: str  # the telegram's URL: what Toki keys the store on
    content: str
    position: int  # 0-based place in the document (JMA lists the newest first)


@dataclass(frozen=True, slots=True)
class EntryProblem:
    """An entry that could not be used; the rest of the feed still is."""

    position: int
    entry_id: str
    reason: str
    sha256: str  # of the entry's XML, so the same bad entry is quarantined once however often it is listed
    sample: str

    def describe(self) -> str:
        label = f"entry {self.position + 1}" + (f" ({self.entry_id})" if self.entry_id else "")
        return f"{label}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    updated: datetime | None
    entries: tuple[Entry, ...]  # oldest `updated` first; one entry per link
    problems: tuple[EntryProblem, ...]


def _screen(data: bytes, max_bytes: int) -> None:
    screen_xml(data, what="feed", max_bytes=max_bytes, error=FeedError)
    if not data.strip():
        raise FeedError("feed is empty")


def _root(data: bytes) -> ET.Element:
    try:
        root = ET.fromstring(data)  # noqa: S314 - screened by _screen: no DTD, no entities, UTF-8 only
    except ET.ParseError as exc:
        raise FeedError(f"malformed XML: {exc}") from exc
    if root.tag != FEED_TAG:
        namespace, _, name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
        raise FeedError(f"root element is <{name}> in namespace {namespace or '(none)'}; "
                        f"expected <feed> in namespace {ATOM_NS}")
    return root


def _text(element: ET.Element, name: str) -> str:
    child = element.find(f"{{{ATOM_NS}}}{name}")
    return "".join(child.itertext()).strip() if child is not None else ""


def _author(element: ET.Element) -> str:
    author = element.find(f"{{{ATOM_NS}}}author")
    return _text(author, "name") if author is not None else ""


def _updated(value: str) -> datetime:
    if not value:
        raise ValueError("no <updated>")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"<updated> {value!r} is not an RFC 3339 date-time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"<updated> {value!r} has no time zone")
    return parsed


def _link(element: ET.Element) -> str:
    candidates = [link for link in element.findall(f"{{{ATOM_NS}}}link") if link.get("rel", "") in _LINK_RELS]
    if not candidates:
        raise ValueError("no <link> to the telegram")
    xml_links = [link for link in candidates if "xml" in link.get("type", "")]
    href = (xml_links or candidates)[0].get("href", "").strip()
    if not href:
        raise ValueError("<link> has no href")
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"link {href[:100]!r} is not an absolute http(s) URL")
    if len(href) > MAX_URL_LENGTH:
        raise ValueError(f"link is {len(href)} characters long, more than {MAX_URL_LENGTH}")
    return href


def _entry(element: ET.Element, position: int) -> Entry:
    return Entry(
        id=_text(element, "id"),
        title=_text(element, "title"),
        updated=_updated(_text(element, "updated")),
        author=_author(element),
        link=_link(element),
        content=_text(element, "content"),
        position=position,
    )


def _problem(element: ET.Element, position: int, reason: str) -> EntryProblem:
    raw = ET.tostring(element, encoding="utf-8")
    return EntryProblem(position=position, entry_id=_text(element, "id")[:200], reason=reason,
                        sha256=hashlib.sha256(raw).hexdigest(), sample=raw[:500].decode("utf-8", "replace"))


def parse_feed(data: bytes, *, max_bytes: int = MAX_FEED_BYTES) -> Feed:
    """Parse an Atom feed. Raises FeedError for a document that is unsafe or not an Atom feed."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise FeedError(f"feed must be bytes, not {type(data).__name__}")
    data = bytes(data)
    _screen(data, max_bytes)
    root = _root(data)
    entries: dict[str, Entry] = {}
    problems = []
    for position, element in enumerate(root.findall(ENTRY_TAG)):
        try:
            entry = _entry(element, position)
        except ValueError as exc:
            problems.append(_problem(element, position, str(exc)))
            continue
        entries.setdefault(entry.link, entry)  # a link listed twice is one telegram
    feed_updated = _text(root, "updated")
    try:
        updated = _updated(feed_updated) if feed_updated else None
    except ValueError:
        updated = None  # the feed's own date is informative only
    # Oldest first; entries updated in the same second keep JMA's order reversed (it lists the newest first).
    ordered = sorted(entries.values(), key=lambda e: (e.updated, -e.position))
    return Feed(title=_text(root, "title"), updated=updated, entries=tuple(ordered), problems=tuple(problems))
