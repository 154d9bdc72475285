"""Fixed, reviewed tables between Toki's Alert and CAP 1.2 (reference alerts.md §7.2; a project convention).

`info_texts()` is the one place the CAP builder gets words for people from. Until `toki.alerts.rendering` exists
it uses `Alert.title`/`Alert.headline` (Japanese) and a minimal English text built from the category; the lead
switches it to the renderer (see the marked function below).
"""

from dataclasses import dataclass

from toki.alerts.models import Alert
from toki.alerts.rendering import FACTS_VERSION, render

CAP_LANGUAGES = {"ja": "ja-JP", "en": "en-US"}  # Toki language → the CAP info language it is published in

STATUS_IN = {"Actual": Alert.Status.ACTUAL, "Exercise": Alert.Status.EXERCISE, "Test": Alert.Status.TEST}
STATUS_OUT = {value: key for key, value in STATUS_IN.items()}
MSG_TYPE_IN = {"Alert": Alert.MsgType.ALERT, "Update": Alert.MsgType.UPDATE, "Cancel": Alert.MsgType.CANCEL}
MSG_TYPE_OUT = {value: key for key, value in MSG_TYPE_IN.items()}
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")


@dataclass(frozen=True, slots=True)
class CapKind:
    """How one Toki alert category is written in CAP."""

    category: str  # CAP category
    event_ja: str
    event_en: str
    response_type: str
    urgency: str
    certainty: str


KINDS = {
    Alert.Category.WEATHER: CapKind("Met", "気象警報・注意報", "Weather warning", "Prepare", "Expected", "Likely"),
    Alert.Category.LANDSLIDE: CapKind("Geo", "土砂災害警戒情報", "Landslide alert", "Evacuate", "Expected",
                                      "Likely"),
    Alert.Category.RIVER: CapKind("Met", "指定河川洪水予報", "River flood forecast", "Prepare", "Expected",
                                  "Likely"),
    Alert.Category.RAIN: CapKind("Met", "記録的短時間大雨情報", "Record short-time heavy rain", "Prepare",
                                 "Immediate", "Observed"),
    Alert.Category.EARTHQUAKE: CapKind("Geo", "地震情報", "Earthquake information", "Assess", "Immediate",
                                       "Observed"),
    Alert.Category.TSUNAMI: CapKind("Geo", "津波警報・注意報・予報", "Tsunami warning", "Evacuate", "Immediate",
                                    "Likely"),
    Alert.Category.VOLCANO: CapKind("Geo", "噴火警報・予報", "Volcanic warning", "Prepare", "Expected", "Likely"),
    Alert.Category.EVACUATION: CapKind("Safety", "避難情報", "Evacuation information", "Evacuate", "Immediate",
                                       "Likely"),
    Alert.Category.FIRE: CapKind("Fire", "火災", "Fire", "Avoid", "Immediate", "Observed"),
    Alert.Category.OTHER: CapKind("Other", "防災情報", "Emergency information", "Monitor", "Unknown", "Unknown"),
}
# A cancellation (JMA 取消/解除 as a cancel, a lifted evacuation order) is an all-clear.
CANCEL_RESPONSE, CANCEL_URGENCY, CANCEL_CERTAINTY = "AllClear", "Past", "Observed"

SENDER_NAMES = {
    Alert.Source.JMA: {"ja": "気象庁", "en": "Japan Meteorological Agency"},
}

# Imported messages: the Toki category from words of the CAP event (English and Japanese), then CAP's category.
_EVENT_WORDS = (
    (("tsunami", "津波"), Alert.Category.TSUNAMI),
    (("earthquake", "地震"), Alert.Category.EARTHQUAKE),
    (("volcan", "噴火", "火山"), Alert.Category.VOLCANO),
    (("landslide", "debris flow", "土砂"), Alert.Category.LANDSLIDE),
    (("evacuat", "避難"), Alert.Category.EVACUATION),
    (("flood", "洪水", "氾濫"), Alert.Category.RIVER),
    (("fire", "火災", "火事"), Alert.Category.FIRE),
)
# CAP's own categories, when the event's words say nothing: only those that mean one Toki category. Fire is
# never weather; Met alone is (a CAP "Met" event Toki has no word for is a weather message).
_CAP_CATEGORIES = (("Fire", Alert.Category.FIRE), ("Met", Alert.Category.WEATHER))


def category_of(event: str, cap_categories) -> str:
    """The Toki Alert.Category of an imported CAP info."""
    words = event.casefold()
    for needles, category in _EVENT_WORDS:
        if any(needle in words for needle in needles):
            return category
    for cap_category, category in _CAP_CATEGORIES:
        if cap_category in cap_categories:
            return category
    return Alert.Category.OTHER


def kind_of(alert: Alert) -> CapKind:
    return KINDS.get(alert.category, KINDS[Alert.Category.OTHER])


def is_all_clear(alert: Alert) -> bool:
    """A retraction, a JMA telegram that only lifts (解除, a downgrade to 若干の海面変動) or a lifted city order."""
    facts = alert.facts or {}
    return (alert.msg_type == Alert.MsgType.CANCEL or bool(facts.get("all_clear"))
            or bool((facts.get("evacuation") or {}).get("lifted")))


def severity_of(alert: Alert) -> str:
    if is_all_clear(alert):
        return "Minor"  # the lowest that still says something: nothing is threatening any more
    return alert.severity if alert.severity in SEVERITIES else "Unknown"


def cap_info_for(alert: Alert, language: str) -> dict | None:
    """For an imported alert, the original CAP info (as stored in facts) in `language` ("ja"/"en"), else None."""
    infos = (alert.facts or {}).get("cap", {}).get("infos") or []
    for info in infos:
        if str(info.get("language", "")).lower().split("-")[0] == language:
            return info
    return None


def primary_cap_info(alert: Alert) -> dict | None:
    """For an imported alert, the original info Toki's fields came from (Japanese first, else the first)."""
    infos = (alert.facts or {}).get("cap", {}).get("infos") or []
    return cap_info_for(alert, "ja") or (infos[0] if infos else None)


def sender_name(alert: Alert, language: str) -> str:
    if alert.source == Alert.Source.CAP:
        info = cap_info_for(alert, language) or primary_cap_info(alert) or {}
        return info.get("sender_name") or alert.sender
    if alert.source in SENDER_NAMES:
        return SENDER_NAMES[alert.source][language]
    municipality = alert.municipality
    return (municipality.name_en or municipality.name) if language == "en" else municipality.name


def event_name(alert: Alert, language: str) -> str:
    if alert.source == Alert.Source.CAP:
        info = cap_info_for(alert, language) or primary_cap_info(alert) or {}
        if info.get("event"):
            return info["event"]
    kind = kind_of(alert)
    return kind.event_en if language == "en" else kind.event_ja


_EN_SUFFIX = {Alert.MsgType.UPDATE: " (update)", Alert.MsgType.CANCEL: " (cancelled)"}
_JA_SUFFIX = {Alert.MsgType.UPDATE: "（更新）", Alert.MsgType.CANCEL: "（取消・解除）"}


def info_texts(alert: Alert, language: str) -> tuple[str, str, str]:
    """(headline, description, instruction) of `alert` in `language` ("ja" or "en"); description never empty.

    An imported CAP alert keeps its own texts in that language where it has them. JMA and city alerts are
    rendered from their facts by toki.alerts.rendering (the same words LINE and the portal use): headline =
    the rendered title, description = the rendered body.
    """
    if alert.source == Alert.Source.CAP:
        info = cap_info_for(alert, language)
        if info is not None:
            headline = info.get("headline") or info.get("event") or alert.title
            return headline, info.get("description") or headline, info.get("instruction") or ""
    if (alert.facts or {}).get("version") == FACTS_VERSION:  # facts this renderer reads
        rendered = render(alert.facts, language, msg_type=alert.msg_type,
                          is_drill=alert.status == Alert.Status.EXERCISE)
        return rendered.title, rendered.body or rendered.title, ""
    if language == "ja":
        headline = alert.title + _JA_SUFFIX.get(alert.msg_type, "")
        return headline, alert.headline or alert.title, ""
    place = alert.municipality.name_en or alert.municipality.name
    event = kind_of(alert).event_en
    headline = f"{event}: {place}{_EN_SUFFIX.get(alert.msg_type, '')}"
    description = (f"{event} for {place} from {sender_name(alert, 'en')}. "
                   "The Japanese message has the details; see the web page for translations.")
    return headline, description, ""
