"""Field encryption and blind indexes for the registry (registry-security.md A-crypto).

A value is stored as "<key id>:<Fernet token>". Fernet is AES-128-CBC with HMAC-SHA256 and a random IV, so equal
values encrypt differently: search goes through blind indexes (HMAC-SHA256 of a normalised value under a separate
key), never by decrypting the table. Rotation: put a new key first in TOKI_REGISTRY_KEYS, keep the old ones after
it, run `manage.py registry_rotate_keys`, then drop the old ones.
"""

import hashlib
import hmac
import unicodedata
from datetime import date
from functools import cache, lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.core.signals import setting_changed
from django.dispatch import receiver

from toki.registry import conf
from toki.registry.crypto_errors import RegistryKeyError

SEPARATOR = ":"


@lru_cache(maxsize=8)
def _fernets(ring: tuple[tuple[str, str], ...]) -> dict[str, Fernet]:
    fernets = {}
    for key_id, key in ring:
        try:
            fernets[key_id] = Fernet(key.encode())
        except ValueError as error:
            raise RegistryKeyError(f"TOKI_REGISTRY_KEYS: key {key_id!r} is not a Fernet key ({error})") from None
    return fernets


@cache
def _ring() -> tuple[str, dict[str, Fernet]]:
    """The key ring, resolved once per process (and again after a change of the Django setting). Reading it for
    every value cost more than the decryption: a district list of 500 people decrypts 6,500 values
    (docs/benchmarks.md, issue 16 part 2). A changed environment variable takes effect at the next start."""
    ring = tuple(conf.key_ring())
    return ring[0][0], _fernets(ring)


@cache
def _index_key() -> bytes:
    return conf.index_key()


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting.startswith("TOKI_REGISTRY_"):
        _ring.cache_clear()
        _index_key.cache_clear()


def primary_key_id() -> str:
    return _ring()[0]


def key_id_of(stored: str) -> str:
    return stored.partition(SEPARATOR)[0]


def encrypt(plain: str) -> str:
    primary, fernets = _ring()
    return primary + SEPARATOR + fernets[primary].encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    key_id, sep, token = stored.partition(SEPARATOR)
    _, fernets = _ring()
    if not sep or key_id not in fernets:
        raise RegistryKeyError(f"a registry value was encrypted with key {key_id!r}, which is not in the key ring")
    try:
        return fernets[key_id].decrypt(token.encode()).decode()
    except InvalidToken:
        raise RegistryKeyError(f"key {key_id!r} of the key ring does not decrypt a registry value") from None


def needs_rotation(stored: str) -> bool:
    return bool(stored) and key_id_of(stored) != primary_key_id()


# Blind indexes -----------------------------------------------------------------------------------------------

def normalise_kana(value: str) -> str:
    """カナ氏名 as typed anywhere: NFKC (half-width → full-width), hiragana → katakana, no spaces or dots."""
    import jaconv

    text = unicodedata.normalize("NFKC", value or "")
    text = jaconv.hira2kata(text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "・･.")


def normalise_phone(value: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if ch.isdigit())


def blind_index(kind: str, normalised: str) -> str:
    """HMAC-SHA256 of `normalised` under the index key, domain-separated by `kind`; "" for an empty value."""
    return keyed_hash(kind, normalised) if normalised else ""


def keyed_hash(kind: str, content: str) -> str:
    """HMAC-SHA256 of `content` under the index key, domain-separated by `kind` (e.g. the access log's chain)."""
    return hmac.new(_index_key(), f"{kind}\x1f{content}".encode(), hashlib.sha256).hexdigest()


def kana_index(value: str) -> str:
    return blind_index("kana", normalise_kana(value))


def birth_date_index(value: date | None) -> str:
    return blind_index("birth", value.isoformat()) if value else ""


def phone_index(value: str) -> str:
    return blind_index("phone", normalise_phone(value))


def source_index(value: str) -> str:
    """The welfare/resident system's own id of a person (宛名番号), kept only as an index to match re-imports."""
    return blind_index("source", (value or "").strip())
