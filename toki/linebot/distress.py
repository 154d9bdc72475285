"""Recognising a message from someone in danger (「助けて」, "Help! I am trapped", 救命, 살려주세요 …) and what to do
with it: answer at once (119/110, nobody reads this chat, where to go now) and, while disaster mode is on or an
evacuation order is in force, put it in front of HQ as 救助要請の可能性 (toki.hq.actions.distress).

Recognition is by words, in the five languages, after NFKC normalisation and lower-casing, in a message of any
length (someone in danger writes sentences, not keywords). A false alarm costs an answer with the emergency numbers
and a line on HQ's board; a missed call for help costs more, so the words are generous."""

import re
import unicodedata

from toki.shelters.selectors import NearbySite

DISTRESS_TEXT_MAX = 1000  # longer messages are still answered; HQ gets the first 1,000 characters
PLACES_IN_ANSWER = 2

# Non-Latin words match anywhere in the text; Latin ones as whole words (so "helpful" is no call for help). A lone
# "help" is the help keyword; "help me", "help!" … are not.
DISTRESS_WORDS = (
    # 日本語 and やさしい日本語
    "助けて", "たすけて", "助けてください", "救助", "救急", "閉じ込め", "とじこめ", "逃げ遅れ", "にげおくれ",
    "動けない", "うごけない", "流され", "ながされ", "埋まっ", "下敷き", "怪我", "けが人", "怖い", "こわい",
    "どこに逃げ", "どこへ逃げ", "どこににげ", "逃げればいい", "にげればいい", "水が出て", "水が入って", "浸水して",
    "溺れ", "おぼれ", "火事です", "死にそう", "息ができない",
    # 简体中文
    "救命", "救救", "求救", "被困", "困住", "受伤", "帮帮我", "害怕", "往哪里逃", "去哪里避难",
    # 한국어
    "살려", "도와주세요", "도와줘", "구조", "갇혔", "갇혀", "다쳤", "무서워", "어디로 대피",
)
DISTRESS_LATIN = (
    "help me", "please help", "need help", "help us", "sos", "trapped", "stuck", "injured", "hurt", "drowning",
    "rescue", "emergency", "scared", "afraid", "where should i go", "where do i go", "where can i go",
    "can't get out", "cannot get out", "flooding", "collapsed",
)
_LATIN = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in DISTRESS_LATIN) + r")\b")


def is_distress(text: str) -> bool:
    """Does the message read like someone in danger? ("Help!" counts; "help" alone asks for the help text.)"""
    raw = unicodedata.normalize("NFKC", text or "").lower()
    if not raw.strip():
        return False
    if any(word in raw for word in DISTRESS_WORDS):
        return True
    if re.search(r"\bhelp\s*!", raw):
        return True
    return bool(_LATIN.search(raw))


def where_to_go(municipality, subscriber=None, point: tuple[float, float] | None = None
                ) -> tuple[tuple[str, ...], list[NearbySite]]:
    """(hazards in force, the open places to go to): for the point, else the first district the subscriber chose,
    else the whole municipality (from its districts' middle); places designated for those hazards first."""
    from toki.shelters.selectors import hazards_in_force, hazards_in_force_at, nearest_sites

    if municipality is None:
        return (), []
    district = None
    if point is None and subscriber is not None and not subscriber.all_districts:
        district = subscriber.districts.order_by("sort_order").first()
        if district is not None:
            point = (district.centre_lat, district.centre_lon)
    if point is not None and district is None:
        hazards = hazards_in_force_at(point, municipality)
    else:
        hazards = hazards_in_force(municipality, district)
    if point is None:
        centres = list(municipality.districts.values_list("centre_lat", "centre_lon"))
        if not centres:
            return hazards, []
        point = (sum(c[0] for c in centres) / len(centres), sum(c[1] for c in centres) / len(centres))
    places = nearest_sites(point, hazards, open_only=True, limit=PLACES_IN_ANSWER, municipality=municipality)
    return hazards, places


def should_tell_hq(municipality) -> bool:
    """HQ is watching while disaster mode is on or an evacuation order is in force (drills never count)."""
    from toki.alerts.selectors import orders_in_force
    from toki.portal.site_mode import disaster_mode

    return disaster_mode(municipality) is not None or orders_in_force(municipality).exists()


def tell_hq(municipality, user_id: str, text: str) -> None:
    from toki.hq.actions.distress import record_distress_message

    record_distress_message(municipality=municipality, channel="line", address=user_id, text=text)
