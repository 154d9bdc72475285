"""Card readers at the shelter desk: an adapter interface, and what Toki keeps of a card.

A reader yields one `CardRead` per card put on it: either the TEXT of an ID card (the 券面事項 4情報 of a
マイナンバーカード read with its 4-digit PIN, or a driving licence: name, kana, birth date, address, sex) or the
id of a transport IC card (Suica-style, linked to a person at the first tap). Real readers (`nfcpy`,
`pyscard`) are optional plug-ins outside Toki's dependencies; `ScriptedCardReader` is the test double.

**Toki never reads, stores or shows a 個人番号 (マイナンバー)** (reference/shelters.md §4.2). An adapter must
not read the 個人番号 file; `sanitise()` drops any field that is not one of the 4情報 and refuses any value that is
a 12-digit number, whatever the adapter did. A transport card id is kept only as a keyed hash (`card_hash`).
"""

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from django.conf import settings

from toki.shelters.matching import looks_like_personal_number

TEXT_FIELDS = ("name", "name_kana", "birth_date", "address", "sex")


class PersonalNumberRefused(ValueError):
    """A card read carried a 12-digit number: Toki refuses it (and never keeps it)."""


@dataclass(frozen=True)
class CardRead:
    kind: str  # "id_text" or "transport_ic"
    name: str = ""
    name_kana: str = ""
    birth_date: date | None = None
    address: str = ""
    sex: str = "unknown"
    card_id: str = ""  # transport IC card id (IDm), only for kind "transport_ic"


@runtime_checkable
class CardReader(Protocol):
    """What a desk card reader adapter provides."""

    name: str

    def reads(self) -> Iterator[dict]:
        """Yield the raw fields of each card read (a dict: TEXT_FIELDS for an ID card, or {"card_id": …})."""
        ...


def sanitise(raw: dict) -> CardRead:
    """Turn an adapter's raw dict into a CardRead: only the 4情報 (+ kana) or a card id; refuse 12-digit numbers.

    Unknown keys (e.g. an adapter that returned `individual_number` or `my_number`) are dropped, never stored."""
    for key, value in raw.items():
        if looks_like_personal_number(value):
            raise PersonalNumberRefused(f"field {key!r} holds a 12-digit number; refused")
    if raw.get("card_id"):
        card_id = str(raw["card_id"]).strip()
        if not card_id.isalnum() or len(card_id) > 32:
            raise ValueError("not a card id")
        return CardRead(kind="transport_ic", card_id=card_id.upper())
    values = {k: raw[k] for k in TEXT_FIELDS if raw.get(k) not in (None, "")}
    born = values.get("birth_date")
    if born is not None and not isinstance(born, date):
        born = date.fromisoformat(str(born))
    return CardRead(kind="id_text", name=str(values.get("name", "")).strip(),
                    name_kana=str(values.get("name_kana", "")).strip(), birth_date=born,
                    address=str(values.get("address", "")).strip(), sex=str(values.get("sex", "unknown")))


def read_cards(reader: CardReader) -> Iterator[CardRead]:
    """Every card the reader yields, sanitised. A read with a 12-digit number raises PersonalNumberRefused."""
    for raw in reader.reads():
        yield sanitise(raw)


def card_hash(card_id: str) -> str:
    """What Toki stores of a transport card id: HMAC-SHA256 keyed with SECRET_KEY (not reversible offline)."""
    normalised = str(card_id).strip().upper().encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"toki-shelter-card:" + normalised, hashlib.sha256).hexdigest()


class ScriptedCardReader:
    """Test double and demo reader: yields the dicts it was given, as a real adapter would."""

    name = "scripted"

    def __init__(self, reads: Iterable[dict]):
        self._reads = list(reads)

    def reads(self) -> Iterator[dict]:
        yield from self._reads
