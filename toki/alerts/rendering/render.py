"""Render an alert's facts in one language: a title, a short text for push notifications and a LINE body.

    rendered = render(alert.facts, "en", msg_type=alert.msg_type, is_drill=alert.status == "exercise")
    rendered.title, rendered.short, rendered.body, rendered.untranslated

The words come only from the phrase modules (phrases_<language>.py) and the term tables (terms_*.py), keyed by
the codes in the facts; free texts (JMA's headline, the city's reason) are included as they are, labelled in the
reader's language. Limits: `short` at most 100 characters, `body` at most 5,000 (LINE's limit for a text
message), both counted in UTF-16 code units as LINE and the push services count them. See docs/alert-rendering.md.
"""

from dataclasses import dataclass

from toki.alerts.rendering import render_other, render_quake, render_weather
from toki.alerts.rendering.facts import FACTS_VERSION
from toki.alerts.rendering.lang import LANGUAGES, Lang
from toki.alerts.rendering.parts import Parts
from toki.areas.terms import ProfileTerms
from toki.lib.text import cut, text_length

SHORT_LIMIT = 100
TITLE_LIMIT = 100
BODY_LIMIT = 5000
MSG_TYPES = ("alert", "update", "cancel")

__all__ = ["BODY_LIMIT", "LANGUAGES", "SHORT_LIMIT", "FreeText", "RenderedAlert", "render", "text_length"]


@dataclass(frozen=True, slots=True)
class FreeText:
    """A text shown as it was written (Japanese), with its label in the reader's language."""

    label: str
    text: str


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    language: str
    title: str
    short: str  # push notification: at most SHORT_LIMIT
    body: str  # LINE text message: at most BODY_LIMIT
    untranslated: tuple[FreeText, ...] = ()  # the Japanese texts included as they are (none on ja pages)
    main: str = ""  # the body without the free texts, for pages that show those apart (marked lang="ja")


_TOPICS = {
    "evacuation": render_other.evacuation,
    "tsunami": render_quake.tsunami,
    "earthquake": render_quake.earthquake,
    "volcano": render_other.volcano,
    "river": render_weather.river,
    "rain": render_weather.rain,
    "weather": render_weather.warnings,
    "landslide": render_weather.warnings,
}
IMPORTED = "cap"  # facts of an imported CAP message: its own texts, no facts version (docs/cap.md)


def render(facts: dict, language: str, *, msg_type: str = "alert", is_drill: bool = False,
           terms: ProfileTerms | None = None) -> RenderedAlert:
    """The alert in `language` (one of LANGUAGES). `msg_type` is the Alert's: "alert", "update" (訂正) or
    "cancel" (取消); `is_drill` marks a drill (訓練) at the start of the title and the short text. Places and offices
    are named from `terms` (default: every loaded profile's, toki.areas.terms)."""
    if msg_type not in MSG_TYPES:
        raise ValueError(f"unknown msg_type {msg_type!r}; expected one of {', '.join(MSG_TYPES)}")
    imported = facts.get("source") == IMPORTED
    if not imported and facts.get("version") != FACTS_VERSION:
        raise ValueError(f"unsupported facts version {facts.get('version')!r}; this renderer reads {FACTS_VERSION}")
    lang = Lang(language, terms)
    topic = render_other.cap if imported else _TOPICS.get(facts.get("category", ""), render_other.generic)
    parts = topic(facts, lang)
    if msg_type == "cancel":
        parts = _cancelled(facts, lang, parts)
    marker, change_line = _change(facts, msg_type, lang)
    prefix = (lang("drill_marker") if is_drill else "") + marker
    title = cut(prefix + parts.title, TITLE_LIMIT)
    head = []
    if is_drill:
        head.append(lang("drill_line"))
    head.append(title)  # the lock screen shows the first line: what happened comes first
    if change_line:
        head.append(change_line)
    head += ["", *parts.lines]
    if facts.get("issued_at"):
        office = _office(lang, (facts.get("office") or {}).get("name", ""))
        if parts.lines:
            head.append("")
        if facts.get("source") == "jma" and office:
            head.append(lang("issued_line", time=lang.time(facts["issued_at"]), office=office))
        else:
            head.append(lang("issued_line_time", time=lang.time(facts["issued_at"])))
    free = _free_texts(facts, lang, parts)
    tail = [lang("source_jma")] if facts.get("source") == "jma" else []
    return RenderedAlert(
        language=language,
        title=title,
        short=_short(lang, prefix, parts),
        body=_body(head, free, tail, lang),
        untranslated=tuple(free) if language != "ja" else (),
        main=_body(head, [], tail, lang),
    )


def _change(facts: dict, msg_type: str, lang: Lang) -> tuple[str, str]:
    """(marker before the title, line after it) saying what this message changes. A city order that replaces
    another says whether it raised, lowered or lifted it (orders.py compares the levels); only a real
    correction says 訂正. A JMA or CAP update is a correction (JMA's 訂正)."""
    order = facts.get("evacuation") or {}
    if facts.get("source") == "city" and order:
        if order.get("lifted"):
            return (lang("lifted_marker"), "") if msg_type == "update" else ("", "")
        change = order.get("change") or {}
        kind, old, new = change.get("kind"), int(change.get("from_level") or 0), int(order.get("level") or 0)
        if kind in ("raised", "lowered"):
            return lang(f"{kind}_marker"), lang(f"{kind}_line", old=lang.level(old), new=lang.level(new))
        if kind == "updated":
            return lang("updated_marker"), lang("updated_line")
        if kind != "corrected" and msg_type == "update":
            return lang("updated_marker"), lang("updated_line")  # an order replaced before changes were recorded
    if msg_type == "update":
        return lang("correction_marker"), lang("correction_line")
    return "", ""


def _office(lang: Lang, name: str) -> str:
    """A JMA office by its Japanese name; an office the table does not know keeps its name, like a place."""
    text, known = lang.term("office", name, name)
    return text if known else lang.japanese_name(name)


def _cancelled(facts: dict, lang: Lang, parts: Parts) -> Parts:
    """A retraction: the earlier information, named by its title (city orders) or its type, is withdrawn."""
    if facts.get("source") == "jma":
        name = lang.text("message_type", facts.get("type", {}).get("code"), facts.get("type", {}).get("name", ""))
    else:
        name = parts.title
    line = lang("cancel_line", name=name)
    sentences: list = [(line, lang("cancel_short"))]  # the first of the two that fits
    return Parts(
        title=lang("cancel_title", name=name), sentences=sentences, lines=[line], untranslated=parts.untranslated
    )


def _short(lang: Lang, prefix: str, parts: Parts) -> str:
    text = cut(prefix + parts.title, SHORT_LIMIT)
    separator = lang("stop")
    for sentence in parts.sentences:
        for choice in sentence if isinstance(sentence, tuple) else (sentence,):
            candidate = f"{text}{separator}{choice}"
            if text_length(candidate) <= SHORT_LIMIT:
                text = candidate
                separator = lang("space")
                break
    return text


def _free_texts(facts: dict, lang: Lang, parts: Parts) -> list[FreeText]:
    if facts.get("source") == IMPORTED:
        return _imported_texts(facts, lang)
    label = lang("free_label_city") if facts.get("source") == "city" else lang("free_label_jma")
    texts = [FreeText(label, item["text"]) for item in facts.get("texts", []) if item.get("text")]
    texts += [FreeText(lang("free_label_term"), text) for text in dict.fromkeys(parts.untranslated)]
    return texts


def _imported_texts(facts: dict, lang: Lang) -> list[FreeText]:
    """An imported message's texts when it has none in the reader's language: shown as they came."""
    info, own_language = render_other.cap_info(facts, lang.code)
    if own_language:
        return []
    label = lang("free_label_cap", sender=info.get("sender_name") or (facts.get("cap") or {}).get("sender", ""))
    return [FreeText(label, text) for text in (info.get("description"), info.get("instruction")) if text]


def _body(head: list[str], free: list[FreeText], tail: list[str], lang: Lang) -> str:
    shortened = lang("shortened")
    tail_text = "\n\n" + "\n".join(tail) if tail else ""
    budget = BODY_LIMIT - text_length(tail_text)
    text = "\n".join(head).strip()
    if text_length(text) > budget:
        text = cut(text, budget - text_length(shortened) - 1) + "\n" + shortened
    for block in free:
        piece = f"\n\n{block.label}\n{block.text}"
        room = budget - text_length(text)
        if text_length(piece) <= room:
            text += piece
            continue
        if room > text_length(block.label) + text_length(shortened) + 20:
            text += cut(piece, room - text_length(shortened) - 1) + "\n" + shortened
        break
    return text + tail_text
