"""One reader's language while rendering: phrases, terms by code, places, times and numbers.

Every word comes from the phrase modules (sentences), the term tables (names keyed by code) and the loaded
municipality profiles (place names and their JMA offices, toki.areas.terms); a code none of them knows falls back
to the Japanese name carried by the facts, labelled as Japanese for non-Japanese readers. Nothing is ever
machine-translated.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from toki.alerts.rendering import (
    phrases_en,
    phrases_ja,
    phrases_ja_easy,
    phrases_ko,
    phrases_zh_hans,
    terms_places,
    terms_quake,
    terms_volcano_city,
    terms_weather,
)
from toki.areas.terms import ProfileTerms, profile_terms
from toki.lib.romaji import latin_reading

LANGUAGES = ("ja", "ja-easy", "en", "zh-hans", "ko")


def _in_tokyo(value: str) -> datetime:
    """An ISO 8601 time from the facts in Asia/Tokyo (a time without an offset is taken as Japan time)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TOKYO)
    return moment.astimezone(TOKYO)


def _has_kana(text: str) -> bool:
    return any("\u3040" <= char <= "\u30ff" for char in text)
JAPANESE = ("ja", "ja-easy")
TOKYO = ZoneInfo("Asia/Tokyo")

PHRASES = {
    "ja": phrases_ja.PHRASES,
    "ja-easy": phrases_ja_easy.PHRASES,
    "en": phrases_en.PHRASES,
    "zh-hans": phrases_zh_hans.PHRASES,
    "ko": phrases_ko.PHRASES,
}

# Every term table, by the name the facts (kind "table") or the renderers use. Each maps code → {language: text}.
TABLES: dict[str, dict[str, dict[str, str]]] = {
    "weather": terms_weather.WEATHER,
    "landslide": terms_weather.LANDSLIDE,
    "landslide_r06": terms_weather.LANDSLIDE_R06,
    "tornado": terms_weather.TORNADO,
    "record_rain": terms_weather.RECORD_RAIN,
    "rain_report": terms_weather.RAIN_REPORTS,
    "rain_element": terms_weather.RAIN_ELEMENTS,
    "river": terms_weather.RIVER,
    "river_r06": terms_weather.RIVER_R06,
    "condition": terms_weather.CONDITIONS,
    "status": terms_weather.STATUSES,
    "intensity": terms_quake.INTENSITY,
    "tsunami": terms_quake.TSUNAMI,
    "arrival": terms_quake.ARRIVALS,
    "height_condition": terms_quake.HEIGHT_CONDITIONS,
    "initial": terms_quake.INITIAL_MOTIONS,
    "fixed_comment": terms_quake.FIXED_COMMENTS,
    "volcano": terms_volcano_city.VOLCANO,
    "evacuation": terms_volcano_city.EVACUATION_ORDERS,
    "hazard": terms_volcano_city.HAZARDS,
    "office": terms_places.OFFICES,  # the national ones; a region's offices are in its profile
    "message_type": terms_places.MESSAGE_TYPES,
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


class Lang:
    def __init__(self, language: str, terms: ProfileTerms | None = None):
        """`terms`: the profiles' place and office names (default: every loaded profile's, read once per process)."""
        if language not in PHRASES:
            raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
        self.code = language
        self.phrases = PHRASES[language]
        self.japanese = language in JAPANESE
        self.terms = profile_terms() if terms is None else terms

    def _entry(self, table: str, code: str) -> dict[str, str] | None:
        if table == "place":
            return self.terms.places.get(code)
        if table == "office":  # the national offices, then the ones the profiles name
            return TABLES["office"].get(code) or self.terms.offices.get(code)
        return TABLES[table].get(code)

    def __call__(self, key: str, **values) -> str:
        return self.phrases[key].format(**values)

    def term(self, table: str, code: str | None, name: str = "") -> tuple[str, bool]:
        """(text, known): the table's text for `code`, or the Japanese `name` (labelled for non-Japanese)."""
        entry = self._entry(table, str(code)) if code not in (None, "") else None
        if entry is not None:
            return entry[self.code], True
        return self.fallback(name or str(code or "")), False

    def text(self, table: str, code: str | None, name: str = "") -> str:
        return self.term(table, code, name)[0]

    def fallback(self, name: str) -> str:
        return name if self.japanese else self("untranslated_term", name=name)

    def place(self, area: dict | None) -> str:
        """A place: its translation where a loaded profile names it, a district's romanised name with the Japanese
        in brackets, else the Japanese name as the facts carry it."""
        if not area:
            return ""
        key = area.get("code") or area.get("name", "")  # places named only in text have no code
        entry = self.terms.places.get(f"{area.get('system', '')}:{key}")
        if entry is not None:
            return entry[self.code]
        names = area.get("names") or {}
        if self.japanese or not names:
            return self.japanese_name(area.get("name") or area.get("code", ""))
        own = names.get(self.code) or names.get("en")
        return self("district_name", name=own, ja=names.get("ja", area.get("name", ""))) if own else area["name"]

    def japanese_name(self, name: str) -> str:
        """A Japanese name no table translates: as it is for Japanese readers, with a reading in Latin letters
        before it for the others ("Bungo suidou (豊後水道)")."""
        if self.japanese or (self.code == "zh-hans" and not _has_kana(name)):
            return name  # Chinese readers read kanji names; kana ones (カムチャツカ) they do not
        reading = latin_reading(name)
        return self("district_name", name=reading, ja=name) if reading else name

    def places(self, areas: list[dict], limit: int = 3) -> str:
        names = list(dict.fromkeys(self.place(area) for area in areas if area))
        if len(names) > limit:
            return self("and_more", first=self.join(names[:limit]))
        return self.join(names)

    def join(self, items: list[str]) -> str:
        return self("list_sep").join(item for item in items if item)

    def clock(self, value: str | None) -> str:
        """HH:MM:SS in Japan time, the same in every language (an EEW's arrival counts in seconds)."""
        return _in_tokyo(value).strftime("%H:%M:%S") if value else ""

    def time(self, value: str | None) -> str:
        if not value:
            return ""
        moment = _in_tokyo(value)
        return self(
            "datetime",
            month=moment.month,
            month_abbr=_MONTHS[moment.month - 1],
            day=moment.day,
            hour=moment.hour,
            minute=moment.minute,
        )

    def number(self, value: float | int | None) -> str:
        """1.0 → "1", 0.2 → "0.2" (full-width digits on Japanese pages, as JMA writes them)."""
        if value is None:
            return ""
        return self.digits(f"{value:.1f}".rstrip("0").rstrip("."))

    def digits(self, text: str) -> str:
        """Digits as JMA writes them on Japanese pages (full-width), unchanged elsewhere."""
        return text.translate(_FULL_WIDTH) if self.code == "ja" else text

    def level(self, level: int) -> str:
        return self.digits(str(level))
