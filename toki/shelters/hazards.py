"""The eight hazards a place is designated for (災害対策基本法 施行令, the GSI columns), and how an evacuation order
or a JMA warning in force names one of them.

A hazard is named by a short code; the Shelter field for it is `hazard_<code>` (toki.shelters.models.HAZARDS).
The codes are the EvacuationOrder.Hazard values on purpose, so an order's hazard needs no table.
"""

import unicodedata

from toki.shelters.models import HAZARD_LABELS, HAZARDS

# The GSI order: 洪水, 崖崩れ・土石流・地滑り, 高潮, 地震, 津波, 大規模な火事, 内水氾濫, 火山現象.
HAZARD_CODES = tuple(field.removeprefix("hazard_") for field, _column in HAZARDS)


def hazard_field(code: str) -> str:
    return f"hazard_{code}"


def hazard_label(code: str) -> str:
    """The translated name of a hazard code ("landslide" → 崖崩れ・土石流・地滑り in ja)."""
    return str(HAZARD_LABELS[hazard_field(code)])


# Words of a JMA warning kind (WarningState.kind_name) or of an order's reason, and the hazards they stand for.
# 大雨 covers both 土砂災害 and 浸水害 (the 大雨警報 is issued for either), so it counts as both. Checked after
# NFKC normalisation, in this order; every matching entry adds its hazards.
_WORDS = (
    ("土砂", ("landslide",)),
    ("崖", ("landslide",)),
    ("がけ", ("landslide",)),
    ("土石流", ("landslide",)),
    ("地滑り", ("landslide",)),
    ("地すべり", ("landslide",)),
    ("大雨", ("landslide", "inland_flood")),
    ("浸水", ("inland_flood",)),
    ("内水", ("inland_flood",)),
    ("洪水", ("flood",)),
    ("氾濫", ("flood",)),
    ("高潮", ("storm_surge",)),
    ("津波", ("tsunami",)),
    ("地震", ("earthquake",)),
    ("火災", ("large_fire",)),
    ("火事", ("large_fire",)),
    ("噴火", ("volcano",)),
    ("火山", ("volcano",)),
)
# A warning state names a hazard in force only at warning strength or above: advisories (注意報) and forecasts
# (予報, e.g. 津波予報（若干の海面変動）) do not move anyone to an evacuation site.
_NOT_IN_FORCE_WORDS = ("注意報", "予報", "解除")


def hazards_in_text(text: str) -> tuple[str, ...]:
    """The hazard codes a Japanese text names (a warning kind, an order's reason), in the GSI order."""
    text = unicodedata.normalize("NFKC", text or "")
    found = {code for word, codes in _WORDS if word in text for code in codes}
    return tuple(code for code in HAZARD_CODES if code in found)


def hazards_of_warning(kind_name: str) -> tuple[str, ...]:
    """「大雨警報（土砂災害）」 → (landslide, inland_flood); 「津波警報」 → (tsunami,); 「大雨注意報」 → ()."""
    normalized = unicodedata.normalize("NFKC", kind_name or "")
    if any(word in normalized for word in _NOT_IN_FORCE_WORDS):
        return ()
    if "土砂災害" in normalized:  # 大雨警報（土砂災害） is about landslides only, not 浸水
        return ("landslide",)
    return hazards_in_text(normalized)


def hazards_of_order(hazard: str, reason: str = "") -> tuple[str, ...]:
    """An order's hazard code; for 「その他」 the hazards its reason names (「崖崩れの恐れ」 → landslide)."""
    if hazard in HAZARD_CODES:
        return (hazard,)
    return hazards_in_text(reason)
