"""The registry's settings, read at the moment they are used (so tests and a running server see the same
source): Django settings first, then the environment. Nothing here is read from the municipality profile yet.

- TOKI_REGISTRY_KEYS: the key ring, "id=fernet-key,id=fernet-key", the first one encrypts (the primary), every
  one decrypts. Separate from SECRET_KEY on purpose (rotating one must not touch the other).
- TOKI_REGISTRY_INDEX_KEY: the HMAC key of the blind indexes (kana, birth date, phone). Changing it needs
  `registry_rotate_keys --reindex`.
- TOKI_REGISTRY_CONSENT_MODE: opt_in (the statute's default), opt_out, presumed, not_required or mixed.
- TOKI_REGISTRY_CONSENT_MODES: for mixed, "class=mode,class=mode" (unlisted classes fall back to opt_in).
- TOKI_REGISTRY_CRITERIA: inclusion criteria of the CSV import (a dict; missing keys take DEFAULT_CRITERIA).
- TOKI_REGISTRY_EXPORT_HOURS: how long a print or CSV of a list can be downloaded (1–168, default 24).
- TOKI_REGISTRY_OTP_HOURS: how long a TOTP verification holds for the registry pages (1–24, default 8).
- TOKI_REGISTRY_IDLE_MINUTES: a registry user's session ends after this long without a request (5–240, default 30).
- TOKI_REGISTRY_LADDER_MINUTES: minutes without an answer before the 安否 ladder moves a person up a rung (30).
"""

import os
from functools import lru_cache

from django.conf import settings

from toki.registry.crypto_errors import RegistryKeyError

# registry.md §3: 要介護3以上, 身体障害者手帳1・2級, 療育手帳A, 精神障害者保健福祉手帳1・2級, 難病; 施設入所者 excluded.
DEFAULT_CRITERIA = {
    "care_level_min": 3,  # 要介護 level (1..5); 要支援 never qualifies by itself
    "physical_grade_max": 2,  # 身体障害者手帳 grade 1..6 (1 is the heaviest)
    "intellectual_grades": ["A"],  # 療育手帳
    "mental_grade_max": 2,  # 精神障害者保健福祉手帳 grade 1..3
    "mental_only_if_alone": False,  # some cities count 精神 1・2級 only in single-person households
    "intractable_disease": True,  # 難病
    "exclude_in_facility": True,  # 施設入所者
}

CONSENT_MODES = ("opt_in", "opt_out", "presumed", "not_required")


def _raw(name: str):
    value = getattr(settings, name, None)
    return os.environ.get(name, "") if value is None else value


def _pairs(name: str) -> list[tuple[str, str]]:
    raw = _raw(name)
    return list(raw.items()) if isinstance(raw, dict) else list(_parse_pairs(name, str(raw)))


@lru_cache(maxsize=16)
def _parse_pairs(name: str, raw: str) -> tuple[tuple[str, str], ...]:
    """Parsed once per distinct value: the key ring is read for every value decrypted (a district list of 500
    people decrypts thousands), and parsing it each time cost more than the decryption itself (bench/registry.py)."""
    pairs = []
    for item in [part.strip() for part in str(raw).split(",") if part.strip()]:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise RegistryKeyError(f"{name}: {key.strip()!r} is not written as id=value")
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def key_ring() -> list[tuple[str, str]]:
    """[(key id, Fernet key)], primary first. Missing: a loud error, never a silent plaintext fallback."""
    ring = _pairs("TOKI_REGISTRY_KEYS")
    if not ring:
        raise RegistryKeyError("TOKI_REGISTRY_KEYS is not set: the registry cannot encrypt or decrypt")
    ids = [key_id for key_id, _ in ring]
    if len(set(ids)) != len(ids):
        raise RegistryKeyError("TOKI_REGISTRY_KEYS names a key id twice")
    return ring


def index_key() -> bytes:
    raw = str(_raw("TOKI_REGISTRY_INDEX_KEY") or "")
    if len(raw) < 32:
        raise RegistryKeyError("TOKI_REGISTRY_INDEX_KEY is not set (or shorter than 32 characters)")
    return raw.encode()


def consent_mode_for(recipient_class: str) -> str:
    """The municipality's mode for normal-times sharing with this recipient class."""
    mode = str(_raw("TOKI_REGISTRY_CONSENT_MODE") or "opt_in")
    if mode == "mixed":
        mode = dict(_pairs("TOKI_REGISTRY_CONSENT_MODES")).get(recipient_class, "opt_in")
    if mode not in CONSENT_MODES:
        raise ValueError(f"TOKI_REGISTRY_CONSENT_MODE(S): unknown mode {mode!r} (one of {', '.join(CONSENT_MODES)})")
    return mode


def criteria() -> dict:
    configured = getattr(settings, "TOKI_REGISTRY_CRITERIA", None) or {}
    unknown = set(configured) - set(DEFAULT_CRITERIA)
    if unknown:
        raise ValueError(f"TOKI_REGISTRY_CRITERIA: unknown keys {sorted(unknown)}")
    return {**DEFAULT_CRITERIA, **configured}


def _bounded(name: str, default: int, low: int, high: int, unit: str) -> int:
    raw = str(_raw(name) or default).strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name}: {raw!r} is not a number of {unit} from {low} to {high}")
    return int(raw)


def export_hours() -> int:
    return _bounded("TOKI_REGISTRY_EXPORT_HOURS", 24, 1, 168, "hours")


def otp_hours() -> int:
    return _bounded("TOKI_REGISTRY_OTP_HOURS", 8, 1, 24, "hours")


def idle_minutes() -> int:
    return _bounded("TOKI_REGISTRY_IDLE_MINUTES", 30, 5, 240, "minutes")


def access_log_years() -> int:
    """How long the access log is kept (registry.md §4: no period is fixed by law; the city's 文書管理規程
    decides). The default of 5 years is Toki's assumption until the city says."""
    return _bounded("TOKI_REGISTRY_ACCESS_LOG_YEARS", 5, 1, 30, "years")


def log_head_sink() -> str:
    """Where the access log's chain head is copied off the box: an http(s) URL (POST to add, GET for the latest)
    or a file path on another machine's mount (one JSON line appended per export). Empty: no copy."""
    return str(_raw("TOKI_REGISTRY_LOG_HEAD_SINK") or "").strip()


def log_head_token() -> str:
    """A bearer token for an HTTP head sink (optional)."""
    return str(_raw("TOKI_REGISTRY_LOG_HEAD_TOKEN") or "").strip()


def upload_max_bytes() -> int:
    """The largest file the refresh page accepts (50,000 residents are about 10 MB)."""
    return _bounded("TOKI_REGISTRY_UPLOAD_MAX_MB", 20, 1, 200, "megabytes") * 1024 * 1024


def ladder_minutes() -> int:
    """TOKI_REGISTRY_LADDER_MINUTES: a person not confirmed this long after the last rung moves to the next one
    (message → call → visit; actions_safety.escalate). 1–1440, default 30."""
    return _bounded("TOKI_REGISTRY_LADDER_MINUTES", 30, 1, 1440, "minutes")
