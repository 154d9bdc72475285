"""Volcano information, city evacuation orders, and any other telegram (by its type name)."""

from toki.alerts.rendering.lang import Lang
from toki.alerts.rendering.parts import Parts, action_lines

# 噴火警戒レベル kinds (対象火山): the table gives their keyword (入山規制 …); the level comes from the facts.
VOLCANO_LEVEL_CODES = ("11", "12", "13", "14", "15")
MAX_VOLCANO_LINES = 10


def generic(facts: dict, lang: Lang) -> Parts:
    """A telegram without a topic of its own (気象情報, 解説情報 …) or without data for the municipality."""
    parts = Parts(title="")
    kind = facts.get("type") or {}
    name = parts.term(lang, "message_type", kind.get("code"), kind.get("name", ""))
    places = lang.places(facts.get("areas") or [])
    if lang.code == "ja" and facts.get("head_title"):
        parts.title = facts["head_title"]
    else:
        parts.title = lang("generic_title", name=name, places=places) if places else name
    return parts


def _volcano_kind(parts: Parts, lang: Lang, kind: dict) -> str:
    text, known = lang.term("volcano", kind.get("code"), kind.get("name", ""))
    if not known:
        return parts.term(lang, "volcano", kind.get("code"), kind.get("name", ""))
    if kind.get("code") in VOLCANO_LEVEL_CODES and kind.get("level"):
        return lang("volcano_level", level=lang.level(kind["level"]), keyword=text)
    return text


def volcano(facts: dict, lang: Lang) -> Parts:
    volcano_facts = facts.get("volcano") or {}
    volcanoes = volcano_facts.get("volcanoes") or []
    local = volcano_facts.get("local") or []
    if not volcanoes and not local:
        return generic(facts, lang)
    parts = Parts(title="")
    main = volcanoes[0] if volcanoes else local[0]
    parts.title = lang("volcano_title", volcano=lang.place(main["area"]), kind=_volcano_kind(parts, lang, main["kind"]))
    for entry in volcanoes[:MAX_VOLCANO_LINES]:
        status = entry["kind"].get("status") or {}
        line = lang("volcano_line", volcano=lang.place(entry["area"]), kind=_volcano_kind(parts, lang, entry["kind"]))
        if status.get("code"):
            line = lang("with_status", text=line, status=parts.term(lang, "status", status["code"], status["name"]))
        parts.lines.append(line)
    more = len(volcanoes) - MAX_VOLCANO_LINES + (volcano_facts.get("more_volcanoes") or 0)
    if more > 0:
        parts.lines.append(lang("more_items", count=more))
    for entry in local:
        kind = _volcano_kind(parts, lang, entry["kind"])
        parts.lines.append(lang("volcano_local_line", place=lang.place(entry["area"]), kind=kind))
    if volcano_facts.get("event_time"):
        parts.lines.append(lang("volcano_event_line", time=lang.time(volcano_facts["event_time"])))
    if main["kind"].get("code") in VOLCANO_LEVEL_CODES and main["kind"].get("level"):
        parts.sentences.append(lang(f"volcano_action_{main['kind']['level']}"))
    return parts


def evacuation(facts: dict, lang: Lang) -> Parts:
    """A city evacuation order (高齢者等避難, 避難指示, 緊急安全確保) for some districts, or its lifting."""
    order = facts["evacuation"]
    level = int(order["level"])
    parts = Parts(title="")
    name = parts.term(lang, "evacuation", str(level), "")
    hazard = parts.term(lang, "hazard", order.get("hazard"), order.get("hazard", ""))
    districts = order.get("districts") or []
    places = lang.places(districts, limit=3)
    if order.get("lifted"):
        parts.title = lang("evac_title_lifted", places=places, order=name)
        parts.lines += [
            lang("evac_districts_line", places=lang.places(districts, limit=50)),
            lang("evac_hazard_line", hazard=hazard),
            "",
            lang("evac_lifted_line"),
        ]
        parts.sentences.append(lang("evac_short_lifted"))
        return parts
    with_level = lang("evac_order_level", order=name, level=lang.level(level))
    parts.title = lang("evac_title", places=places, order=with_level)
    body, short = action_lines(lang, level)
    parts.lines += [
        lang("evac_districts_line", places=lang.places(districts, limit=50)),
        lang("evac_hazard_line", hazard=hazard),
        "",
        *body,
    ]
    parts.sentences += short
    return parts


# The CAP language a reader is served first: やさしい日本語 readers get the Japanese info, 简体中文 any Chinese one.
_CAP_PREFIX = {"ja": "ja", "ja-easy": "ja", "en": "en", "zh-hans": "zh", "ko": "ko"}


def reader_of(cap_language: str) -> str:
    """The Toki language that reads a CAP info's language (the first served it: ja for ja-JP, zh-hans for zh-CN);
    English for any other."""
    prefix = str(cap_language or "").lower().split("-")[0]
    return next((language for language, wanted in _CAP_PREFIX.items() if wanted == prefix), "en")


def cap_info(facts: dict, language: str) -> tuple[dict, bool]:
    """The info of an imported CAP message for a reader of `language`: (info, written in the reader's language).
    Without one in that language, the Japanese info, else the first; ({}, False) for a message without info."""
    infos = (facts.get("cap") or {}).get("infos") or facts.get("inherited_infos") or []
    want = _CAP_PREFIX.get(language, language)

    def prefix(info):
        return str(info.get("language") or "").lower().split("-")[0]

    for info in infos:
        if prefix(info) == want:
            return info, True
    fallback = next((info for info in infos if prefix(info) == "ja"), infos[0] if infos else {})
    return fallback, False


def cap(facts: dict, lang: Lang) -> Parts:
    """A message imported from another agency (CAP): its own words, in the reader's language when it has them;
    otherwise its headline as it came, the texts shown as the original under the sender's name."""
    info, own_language = cap_info(facts, lang.code)
    cap_facts = facts.get("cap") or {}
    parts = Parts(title=info.get("headline") or info.get("event") or cap_facts.get("identifier", ""))
    if own_language:
        parts.lines += [text for text in (info.get("description"), info.get("instruction")) if text]
        if info.get("instruction"):
            parts.sentences.append(info["instruction"])
    return parts
