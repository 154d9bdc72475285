"""One-time recovery codes for the registry's second factor (ASVS V6): ten random codes shown once when the
authenticator is enrolled (or when the user makes new ones), kept only as keyed hashes; each opens the second
factor once. Making new ones voids the old. An administrator resets a lost device (`reset_second_factor`): the
user's authenticator and codes go, and the next visit enrols again."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from toki.accounts import audit
from toki.registry.models import RecoveryCode
from toki.registry.permissions import may_reset_second_factor

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
LENGTH = 10  # 31^10 ≈ 2^49.5 per code


def _normalise(code: str) -> str:
    return "".join(code.lower().split()).replace("-", "")


def _hash(code: str) -> str:
    return salted_hmac("toki.registry.recovery-code", _normalise(code), algorithm="sha256").hexdigest()


def _shown(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def generate(user) -> list[str]:
    """New codes for `user` (the old ones void); the only time they exist in clear is this return value."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash(code)) for code in codes])
    audit.record(actor=user, action="registry.recovery_codes_generated", changes={"count": COUNT})
    return [_shown(code) for code in codes]


def remaining(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def use(user, code: str) -> bool:
    """True once per code: it is spent in the same statement that finds it (two tries at once: one wins)."""
    if not code.strip():
        return False
    spent = RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at__isnull=True).update(
        used_at=timezone.now())
    if spent:
        audit.record(actor=user, action="registry.recovery_code_used", changes={"remaining": remaining(user)})
    return bool(spent)


@transaction.atomic
def reset_second_factor(*, actor, target, reason: str) -> int:
    """Remove `target`'s authenticators and recovery codes (a lost phone); the next registry visit enrols again.
    Returns how many devices went. Audited with the reason; never one's own (another administrator does it)."""
    if not may_reset_second_factor(actor):
        raise PermissionError("only registry officers reset a second factor")
    if target.pk == actor.pk:
        raise ValueError("another administrator must reset your own second factor")
    devices, _ = TOTPDevice.objects.filter(user=target).delete()
    codes, _ = RecoveryCode.objects.filter(user=target).delete()
    if not devices and not codes:
        raise ValueError("this user has no second factor to reset")
    audit.record(actor=actor, action="registry.second_factor_reset", obj=target,
                 changes={"devices": devices, "recovery_codes": codes, "reason": reason})
    return devices
