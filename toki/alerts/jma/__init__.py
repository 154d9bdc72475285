"""JMA 防災情報XML: a pure-Python parser into an immutable model, and the relevance test for a municipality.

No Django models and no database here: ingestion, storage and state live in toki.alerts (see docs/jma-parser.md).

    telegram = parse_file("32-35_06_03_240613_VXSE53.xml")
    telegram.max_intensity, concerns(telegram, load_profile_codes("profiles/sado.json"))
"""

from toki.alerts.jma.catalogue import MessageType, classify
from toki.alerts.jma.model import Telegram
from toki.alerts.jma.parser import parse_file, parse_telegram
from toki.alerts.jma.relevance import AreaMatch, concerns, load_profile_codes, matching_areas
from toki.alerts.jma.xmlsafe import JmaParseError

__all__ = [
    "AreaMatch",
    "JmaParseError",
    "MessageType",
    "Telegram",
    "classify",
    "concerns",
    "load_profile_codes",
    "matching_areas",
    "parse_file",
    "parse_telegram",
]
