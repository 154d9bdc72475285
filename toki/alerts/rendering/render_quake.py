"""Earthquake information (震度速報, 震源, 震源・震度) and tsunami warnings and information."""

from toki.alerts.rendering.jma_fixed_texts import COVERED_BY_TEMPLATES, FIXED_TEXTS
from toki.alerts.rendering.lang import Lang
from toki.alerts.rendering.parts import Parts

MAX_STATION_LINES = 15
# Fixed comments worth a place in the short text, most important first.
SHORT_COMMENTS = ("0203", "0211", "0201", "0229", "0221")
# Fixed comments that speak to coasts under a (Major) Tsunami Warning: shown only when the municipality's own
# region is under one, never beside a Tsunami Advisory or a forecast.
WARNING_ONLY_COMMENTS = frozenset({"0141", "0143", "0149"})
# Fixed comments that share a wording with another code (facts keep the first).
_ALIASES = {"0215": "0203", "0262": "0210"}

TSUNAMI_RANKS = {"52": 4, "53": 4, "51": 3, "62": 2, "71": 1, "72": 1, "73": 1, "50": 0, "60": 0, "00": -1}
_LIFTED = {"50": "51", "60": "62"}  # 警報解除 / 津波注意報解除 → what was lifted when LastKind does not say
_WARNING_OR_ADVISORY = ("51", "52", "53", "62")
_FORECAST = ("71", "72", "73")  # 津波予報: 若干の海面変動 …


def _ranks_below(code: str | None, last: str | None) -> bool:
    """The category ranks below the warning or advisory in force before it (津波警報 → 津波注意報)."""
    return last in _WARNING_OR_ADVISORY and TSUNAMI_RANKS.get(code or "", -1) > 0 \
        and TSUNAMI_RANKS.get(code or "", -1) < TSUNAMI_RANKS[last]


def _downgraded(region: dict) -> bool:
    """A warning or advisory replaced by a mere forecast (若干の海面変動): for the reader it is lifted."""
    last = region.get("last") or {}
    return (region.get("category") or {}).get("code") in _FORECAST and last.get("code") in _WARNING_OR_ADVISORY


def _type_name(parts: Parts, lang: Lang, facts: dict) -> str:
    kind = facts.get("type") or {}
    return parts.term(lang, "message_type", kind.get("code"), kind.get("name", ""))


def _magnitude(lang: Lang, quake: dict) -> str:
    if quake.get("magnitude") is not None:
        return lang("magnitude", m=lang.digits(f"{quake['magnitude']:.1f}"))
    if quake.get("magnitude_over") is not None:
        return lang("magnitude_over", m=lang.number(quake["magnitude_over"]))
    return ""


def quake_lines(parts: Parts, lang: Lang, quake: dict) -> list[str]:
    """Time, hypocenter, depth and magnitude of the earthquake, where the facts have them."""
    lines = []
    if quake.get("origin_time"):
        lines.append(lang("quake_time_line", time=lang.time(quake["origin_time"])))
    if quake.get("hypocenter"):
        lines.append(lang("quake_hypocenter_line", hypocenter=lang.place(quake["hypocenter"])))
    depth = quake.get("depth_km")
    if depth is not None:
        lines.append(lang("quake_depth_shallow") if depth == 0 else lang("quake_depth_line", km=lang.number(depth)))
    magnitude = _magnitude(lang, quake)
    if magnitude:
        lines.append(lang("quake_magnitude_line", magnitude=magnitude))
    return lines


def comment_lines(parts: Parts, lang: Lang, facts: dict, *, warning: bool = True) -> tuple[list[str], list[str]]:
    """(body lines, short sentences) of JMA's fixed comments, translated from their codes. `warning`: whether the
    municipality's tsunami region is under a (Major) Tsunami Warning."""
    lines, sentences = [], []
    for code in facts.get("fixed_comments") or []:
        code = _ALIASES.get(code, code)
        if code in COVERED_BY_TEMPLATES or (code in WARNING_ONLY_COMMENTS and not warning):
            continue
        text = parts.term(lang, "fixed_comment", code, FIXED_TEXTS.get(code, ("",))[0])
        if text:
            lines.append(text)
    for code in SHORT_COMMENTS:
        if code in [_ALIASES.get(c, c) for c in facts.get("fixed_comments") or []]:
            text, known = lang.term("fixed_comment", code, FIXED_TEXTS[code][0])
            if known:
                sentences.append(text)
    return lines, sentences


def _intensity_range(parts: Parts, lang: Lang, lowest: str, highest: str) -> str:
    low = parts.term(lang, "intensity", lowest, lowest)
    if highest == "over":
        return lang("eew_range_over", low=low)
    if not highest or highest == lowest:
        return lang("eew_range_one", low=low)
    return lang("eew_range", low=low, high=parts.term(lang, "intensity", highest, highest))


def eew(facts: dict, lang: Lang) -> Parts:
    """緊急地震速報: what is forecast for the municipality, when the main shaking arrives, and what to do now.
    Never worded as an observation."""
    quake = facts.get("earthquake") or {}
    forecast = facts.get("eew") or {}
    parts = Parts(title="")
    kind = lang("eew_warning") if forecast.get("warning") else lang("eew_forecast")
    local = forecast.get("local") or []
    if local:
        parts.title = lang("eew_title", kind=kind, place=lang.place(local[0]["area"]))
    else:
        parts.title = kind
    for entry in local:
        shaking = _intensity_range(parts, lang, entry.get("lowest", ""), entry.get("highest", ""))
        parts.lines.append(lang("eew_local_line", place=lang.place(entry["area"]), range=shaking))
        condition = entry.get("condition") or {}
        if condition.get("code") == "already_arrived":
            parts.lines.append(lang("eew_already_line"))
        elif entry.get("arrival_time"):
            parts.lines.append(lang("eew_arrival_line", time=lang.clock(entry["arrival_time"])))
    if quake.get("hypocenter"):
        parts.lines.append(lang("eew_hypocenter_line", hypocenter=lang.place(quake["hypocenter"])))
    magnitude = _magnitude(lang, quake)
    if magnitude:
        parts.lines.append(lang("eew_magnitude_line", magnitude=magnitude))
    if forecast.get("forecast_max"):
        highest = parts.term(lang, "intensity", forecast["forecast_max"], forecast["forecast_max"])
        parts.lines.append(lang("eew_max_line", intensity=highest))
    parts.lines += ["", lang("eew_action")]
    parts.sentences.append(lang("eew_short"))
    return parts


def earthquake(facts: dict, lang: Lang) -> Parts:
    if facts.get("eew"):
        return eew(facts, lang)
    quake = facts.get("earthquake") or {}
    parts = Parts(title="")
    local = sorted(quake.get("local") or [], key=lambda entry: entry["area"]["system"] != "city")
    local = [entry for entry in local if entry.get("intensity")]
    if local:
        intensity = parts.term(lang, "intensity", local[0]["intensity"], local[0]["intensity"])
        parts.title = lang("quake_title_local", place=lang.place(local[0]["area"]), intensity=intensity)
    elif quake.get("hypocenter"):
        parts.title = lang("quake_title_hypocenter", hypocenter=lang.place(quake["hypocenter"]))
    else:
        parts.title = _type_name(parts, lang, facts)
    parts.lines += quake_lines(parts, lang, quake)
    if quake.get("max_intensity"):
        intensity = parts.term(lang, "intensity", quake["max_intensity"], quake["max_intensity"])
        parts.lines.append(lang("quake_max_line", intensity=intensity))
    for entry in local:
        intensity = parts.term(lang, "intensity", entry["intensity"], entry["intensity"])
        parts.lines.append(lang("quake_local_line", place=lang.place(entry["area"]), intensity=intensity))
    stations = quake.get("stations") or []
    if stations:
        parts.lines += ["", lang("quake_stations_header")]
        for entry in stations[:MAX_STATION_LINES]:
            intensity = parts.term(lang, "intensity", entry["intensity"], entry["intensity"])
            parts.lines.append(lang("station_line", station=lang.place(entry["area"]), value=intensity))
        more = len(stations) - MAX_STATION_LINES + (quake.get("more_stations") or 0)
        if more > 0:
            parts.lines.append(lang("more_items", count=more))
    body, short = comment_lines(parts, lang, facts)
    if body:
        parts.lines += ["", *body]
    parts.sentences += short
    if quake.get("hypocenter") and local:
        magnitude = _magnitude(lang, quake)
        key = "quake_short_hypocenter" if magnitude else "quake_short_hypocenter_only"
        parts.sentences.append(lang(key, hypocenter=lang.place(quake["hypocenter"]), magnitude=magnitude))
    return parts


def _category(parts: Parts, lang: Lang, region: dict) -> tuple[str, bool]:
    """(the region's category in the reader's language, lifted?). A lifting names what was lifted."""
    category = region.get("category") or {}
    code = category.get("code", "")
    if code in _LIFTED or _downgraded(region):
        last = region.get("last") or {}
        lifted_code = last.get("code") if last.get("code") in _WARNING_OR_ADVISORY else _LIFTED[code]
        return parts.term(lang, "tsunami", lifted_code, last.get("name", category.get("name", ""))), True
    return parts.term(lang, "tsunami", code, category.get("name", "")), False


def height_text(parts: Parts, lang: Lang, height: dict | None) -> str:
    if not height:
        return ""
    kind, meters = height["class"]["code"], height.get("meters")
    if kind == "meters" and meters is not None:
        text = lang("height_meters", m=lang.number(meters))
    elif kind in ("over", "at_least", "under") and meters is not None:
        text = lang(f"height_{kind}", m=lang.number(meters))
    elif kind in ("huge", "high", "unknown"):
        text = lang(f"height_{kind}")
    else:
        text = parts.term(lang, "height_condition", "", height["class"]["name"])
    conditions = [parts.term(lang, "height_condition", c["code"], c["name"]) for c in height.get("conditions") or []]
    return lang("with_conditions", text=text, conditions=lang.join(conditions)) if conditions else text


def _arrival(parts: Parts, lang: Lang, time: str | None, arrival: dict | None) -> str:
    if arrival:
        return parts.term(lang, "arrival", arrival["code"], arrival["name"])
    return lang.time(time)


def _action(category_code: str, lifted: bool) -> str:
    if lifted:
        return "lifted"
    if category_code in ("51", "52", "53"):
        return "warning"
    if category_code == "62":
        return "advisory"
    if category_code in ("71", "72", "73"):
        return "forecast"
    return ""


def tsunami(facts: dict, lang: Lang) -> Parts:
    regions = (facts.get("tsunami") or {}).get("regions") or []
    observations = (facts.get("tsunami") or {}).get("observations") or []
    parts = Parts(title="")
    if regions:
        main = max(regions, key=lambda region: TSUNAMI_RANKS.get(region["category"]["code"], 0))
        name, lifted = _category(parts, lang, main)
        key = "tsunami_title_lifted" if lifted else "tsunami_title"
        parts.title = lang(key, place=lang.place(main["area"]), category=name)
    else:
        main, lifted = None, False
        parts.title = _type_name(parts, lang, facts)
    for region in regions:
        name, region_lifted = _category(parts, lang, region)
        last = region.get("last") or {}
        if not region_lifted and _ranks_below(region["category"].get("code"), last.get("code")):
            # A warning stepped down to an advisory: say the warning is lifted, then what is in force.
            lifted = parts.term(lang, "tsunami", last["code"], last.get("name", ""))
            parts.lines.append(lang("tsunami_region_lifted_line", place=lang.place(region["area"]), category=lifted))
        key = "tsunami_region_lifted_line" if region_lifted else "tsunami_region_line"
        parts.lines.append(lang(key, place=lang.place(region["area"]), category=name))
        if _downgraded(region):  # and what remains: the forecast of slight sea level changes
            category = region["category"]
            parts.lines.append(lang("tsunami_region_line", place=lang.place(region["area"]),
                                    category=parts.term(lang, "tsunami", category["code"], category.get("name", ""))))
        arrival = _arrival(parts, lang, region.get("arrival_time"), region.get("arrival"))
        if arrival:
            parts.lines.append(lang("tsunami_arrival_line", arrival=arrival))
        height = height_text(parts, lang, region.get("height"))
        if height:
            parts.lines.append(lang("tsunami_height_line", height=height))
        for station in region.get("stations") or []:
            arrival = _arrival(parts, lang, station.get("arrival_time"), station.get("arrival"))
            parts.lines.append(
                lang(
                    "tsunami_station_line",
                    station=lang.place(station["station"]),
                    high_tide=lang.time(station.get("high_tide_time")) or "-",
                    arrival=arrival or "-",
                )
            )
    for observation in observations:
        arrival = _arrival(parts, lang, observation.get("arrival_time"), observation.get("arrival")) or "-"
        height = height_text(parts, lang, observation.get("height"))
        conditions = [parts.term(lang, "height_condition", c["code"], c["name"]) for c in observation["conditions"]]
        height = lang.join([height, *conditions]) or "-"
        parts.lines.append(
            lang("tsunami_observation_line", station=lang.place(observation["station"]), arrival=arrival, height=height)
        )
    action = _action(main["category"]["code"], lifted) if main else ""
    if action:
        parts.lines += ["", lang(f"tsunami_action_{action}")]
        parts.sentences.append(lang(f"tsunami_short_{action}"))
    if main and not lifted and (main.get("arrival_time") or main.get("arrival")):
        arrival = _arrival(parts, lang, main.get("arrival_time"), main.get("arrival"))
        parts.sentences.append(lang("tsunami_short_arrival", arrival=arrival))
    quake = facts.get("earthquake") or {}
    lines = quake_lines(parts, lang, quake)
    if lines:
        parts.lines += ["", lang("tsunami_quake_header"), *lines]
    body, _ = comment_lines(parts, lang, facts, warning=action == "warning")
    if body:
        parts.lines += ["", *body]
    return parts
