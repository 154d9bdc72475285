"""The notices' rich text: a small safe subset of HTML, cleaned with an allow-list (nh3, the Rust ammonia
sanitiser) when staff save it and again whenever it is rendered.

Allowed: paragraphs, line breaks, bold, bulleted and numbered lists, and links to http, https, tel and mailto
addresses (or a path on this site). Everything else is removed: scripts and styles with their content, event
handler and style attributes, javascript: and data: URLs, images, iframes, forms. Staff who type plain text
(no tags) get paragraphs at blank lines and line breaks at single newlines.
"""

import html as html_lib
import re
from urllib.parse import urlsplit

import nh3

from toki.lib import text as typed

ALLOWED_TAGS = frozenset({"p", "br", "strong", "b", "ul", "ol", "li", "a"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "tel", "mailto"})
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript", "textarea"})
LINK_REL = "noopener noreferrer nofollow"
MAX_LENGTH = 20_000  # characters of HTML after cleaning; a notice is a page, not a document

_HAS_MARKUP = re.compile(r"<\s*/?\s*(p|br|ul|ol|li)\b", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_EMPTY_PARAGRAPH = re.compile(r"<p>(\s|<br>)*</p>")


def _href_allowed(value: str) -> bool:
    value = value.strip()
    if value.startswith("/") and not value.startswith("//"):
        return True  # a page of this site
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return False
    return scheme in URL_SCHEMES


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if _href_allowed(value) else None
    return value


def clean(html: str) -> str:
    """The allow-listed subset of `html`. Safe to run on already-clean HTML (it returns it unchanged)."""
    cleaned = nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()


def from_plain_text(text: str) -> str:
    """Paragraphs at blank lines, <br> at single newlines, for text typed without block markup."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    return "".join("<p>" + "<br>".join(line.strip() for line in p.split("\n")) + "</p>" for p in paragraphs)


def normalise(text: str) -> str:
    """What a notice body is stored as: the staff's input, given paragraphs if it has none, then cleaned."""
    text = typed.plain_text(text)
    if not _HAS_MARKUP.search(text):
        text = from_plain_text(text)
    return clean(text)


def plain_text(html: str) -> str:
    """The words of a cleaned body without markup (for summaries, JSON and length checks)."""
    text = nh3.clean(re.sub(r"<(br|/p|/li)\s*/?>", "\n", html or "", flags=re.IGNORECASE), tags=set())
    return re.sub(r"\n{2,}", "\n", html_lib.unescape(text)).strip()
