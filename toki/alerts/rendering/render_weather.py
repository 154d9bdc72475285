"""Warnings and advisories (incl. 土砂災害警戒情報, 竜巻注意情報), rapid rain reports and river flood forecasts."""

from toki.alerts.rendering.lang import Lang
from toki.alerts.rendering.parts import Parts, action_lines
from toki.alerts.rendering.render_other import generic

ACTIVE = ("issued", "continued", "downgraded", "raised", "lowered")
NEWS = ("issued", "downgraded", "raised")


def rank(kind: dict) -> int:
    """How severe a kind is: its 警戒レベル where known, else by its code (特別警報 5, 警報 3, 注意報 2)."""
    if kind.get("level"):
        return int(kind["level"])
    table, code = kind.get("table", ""), str(kind.get("code", ""))
    if table.startswith("landslide"):
        return 4
    if table == "record_rain":
        return 3
    if table == "tornado":
        return 2
    if table == "weather" and code.isdigit():
        number = int(code)
        if 30 <= number <= 39:
            return 5
        if 40 <= number <= 49:
            return 4
        if 1 <= number <= 9:
            return 3
        if 10 <= number <= 29:
            return 2
    return 1


def action_level(kind: dict) -> int | None:
    """The 警戒レベル whose action applies: the kind's own level, or 5 for a 特別警報 of the older systems."""
    if kind.get("level"):
        return int(kind["level"])
    return 5 if kind.get("table") == "weather" and rank(kind) == 5 else None


def _names(parts: Parts, lang: Lang, kinds: list[dict]) -> str:
    names = [parts.kind(lang, kind) for kind in kinds]
    if len(names) > 2:
        return lang("and_more", first=lang.join(names[:2]))
    return lang.join(names)


def warnings(facts: dict, lang: Lang) -> Parts:
    items = facts.get("warnings") or []
    if not items:
        return generic(facts, lang)
    parts = Parts(title="")
    place = lang.places([area for item in items for area in item.get("areas", [])])
    kinds: list[dict] = []
    for item in items:
        for kind in item.get("kinds", []):
            if all((kind["table"], kind["code"]) != (seen["table"], seen["code"]) for seen in kinds):
                kinds.append(kind)
    active = [kind for kind in kinds if kind["status"]["code"] in ACTIVE]
    lifted = [kind for kind in kinds if kind["status"]["code"] == "lifted"]
    if active:
        top = max(rank(kind) for kind in active)
        main = [kind for kind in active if rank(kind) == top]
        news = any(kind["status"]["code"] in NEWS for kind in main)
        parts.title = lang(
            "warning_title" if news else "warning_title_continued", place=place, kinds=_names(parts, lang, main)
        )
    elif lifted:
        top = max(rank(kind) for kind in lifted)
        main = [kind for kind in lifted if rank(kind) == top]
        parts.title = lang("warning_title_lifted", place=place, kinds=_names(parts, lang, main))
    else:
        parts.title = lang("warning_title_none", place=place)
    for item in items:
        parts.lines.append(lang("area_header", place=lang.places(item.get("areas", []), limit=10)))
        for kind in item.get("kinds", []):
            status = parts.term(lang, "status", kind["status"]["code"], kind["status"]["name"])
            parts.lines.append(lang("kind_line", kind=parts.kind(lang, kind), status=status))
        if item.get("none_in_force"):
            parts.lines.append(lang("none_in_force"))
    levels = [level for kind in active if (level := action_level(kind))]
    body, short = action_lines(lang, max(levels) if levels else None)
    if not body and any(rank(kind) >= 3 for kind in active):  # a warning without a 警戒レベル (older telegrams)
        body, short = [lang("warning_advice")], [(lang("warning_advice"), lang("warning_advice_short"))]
    if body:
        parts.lines += ["", *body]
    parts.sentences += short
    return parts


def _value(lang: Lang, observation: dict) -> str:
    value, unit = observation.get("value"), observation.get("unit")
    if value is None:
        return ""
    if unit in ("mm", "cm"):
        key = f"value_{unit}_approx" if observation.get("approximate") else f"value_{unit}"
        return lang(key, value=lang.number(value))
    return lang.fallback(observation.get("text", ""))


def rain(facts: dict, lang: Lang) -> Parts:
    """記録的短時間大雨情報 and 府県気象防災速報 (線状降水帯, 記録的短時間大雨, 短時間大雪)."""
    report = (facts.get("rain") or {}).get("report")
    observations = (facts.get("rain") or {}).get("observations") or []
    parts = Parts(title="")
    if report:
        name = parts.term(lang, "rain_report", report["code"], report["name"])
    else:
        name = parts.term(lang, "message_type", facts["type"]["code"], facts["type"]["name"])
    local = [observation["area"] for observation in observations if observation.get("area")]
    place = lang.places(local or facts.get("areas") or [])
    parts.title = lang("rain_title", place=place, report=name) if place else name
    for observation in observations:
        where = lang.place(observation.get("area")) or lang.place(observation.get("station"))
        element = parts.term(lang, "rain_element", observation["element"]["code"], observation["element"]["name"])
        value = _value(lang, observation)
        key = "rain_line" if value else "rain_line_no_value"
        line = lang(key, time=lang.time(observation.get("time")), place=where, element=element, value=value)
        parts.lines.append(line)
        if len(parts.sentences) < 2:
            parts.sentences.append(lang("sentence", text=line))
    if not observations:
        return _with_warnings(facts, lang, parts)
    return parts


def _with_warnings(facts: dict, lang: Lang, parts: Parts) -> Parts:
    """A rapid report without observations for the municipality: the areas it names, from its items."""
    listed = warnings(facts, lang) if facts.get("warnings") else None
    if listed is not None:
        parts.lines += listed.lines
        parts.untranslated += listed.untranslated
    return parts


def river(facts: dict, lang: Lang) -> Parts:
    """指定河川洪水予報 (VXKOii) and 水位周知河川 (VXSUii): the river, its level, the gauges, the areas at risk."""
    river_facts = facts.get("river") or {}
    kind = river_facts.get("kind") or {}
    if not kind.get("name") and not kind.get("code"):
        return generic(facts, lang)
    parts = Parts(title="")
    name = parts.kind(
        lang, {"table": kind["table"], "code": kind["code"], "name": kind["name"], "level": kind["level"]}
    )
    where = lang.place(river_facts.get("section")) or lang.places(river_facts.get("rivers") or [])
    parts.title = lang("river_title_lifted" if kind.get("lifted") else "river_title", river=where, kind=name)
    rivers = river_facts.get("rivers") or []
    if rivers:
        parts.lines.append(lang("river_rivers_line", rivers=lang.places(rivers, limit=10)))
    for gauge in river_facts.get("gauges") or []:
        if gauge.get("level"):
            station = lang.place(gauge["station"])
            parts.lines.append(lang("river_gauge_line", river=gauge["river"], station=station, level=gauge["level"]))
    flood_areas = river_facts.get("flood_areas") or []
    if flood_areas:
        parts.lines.append(lang("river_flood_areas_line", places=lang.places(flood_areas, limit=10)))
    if not kind.get("lifted"):
        body, short = action_lines(lang, kind.get("level"))
        parts.lines += ["", *body] if body else []
        parts.sentences += short
    return parts
