"""Every change to accounts: users, org units, memberships, passwords and login throttling."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit, ratelimit
from toki.accounts.models import LoginThrottle, Membership, OrgUnit, User


def ensure_user(*, acting_user, username: str, display_name: str = "", password: str | None = None) -> User:
    """Create the user if missing (with `password`); an existing user is returned unchanged."""
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
        if created:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save(update_fields=["password"])
            audit.record(actor=acting_user, action="accounts.create_user", obj=user)
    return user


def ensure_org_unit(*, acting_user, name: str, kind: str, district=None, parent=None) -> OrgUnit:
    with transaction.atomic():
        org_unit, created = OrgUnit.objects.get_or_create(
            name=name, defaults={"kind": kind, "district": district, "parent": parent}
        )
        if created:
            audit.record(actor=acting_user, action="accounts.create_org_unit", obj=org_unit,
                         changes={"kind": kind})
    return org_unit


def grant_membership(*, acting_user, user: User, org_unit: OrgUnit, role: str, district=None) -> Membership:
    """Give `user` `role` in `org_unit` (for one district, or all when district is None)."""
    with transaction.atomic():
        membership, created = Membership.objects.update_or_create(
            user=user, org_unit=org_unit, district=district, defaults={"role": role}
        )
        audit.record(
            actor=acting_user, action="accounts.grant_membership", obj=membership,
            changes={"user": user.pk, "org_unit": org_unit.pk, "role": role,
                     "district": district.code if district else None, "created": created},
        )
    return membership


def change_password(*, acting_user, user: User, new_password: str) -> None:
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(actor=acting_user, action="accounts.change_password", obj=user)


# --- Login throttling ------------------------------------------------------------------------------------

def _normalise(username: str) -> str:
    return (username or "").strip().lower()[:150]


def lock_remaining(username: str) -> timedelta | None:
    """How long `username` stays locked, or None when it may try to log in."""
    throttle = LoginThrottle.objects.filter(username=_normalise(username)).first()
    if throttle and throttle.locked_until and throttle.locked_until > timezone.now():
        return throttle.locked_until - timezone.now()
    return None


def record_login_failure(username: str) -> bool:
    """Count a failed login; lock the name once the limit is reached in the window. Returns True if locked."""
    now = timezone.now()
    window = timedelta(minutes=settings.TOKI_LOGIN_LOCK_MINUTES)
    with transaction.atomic():
        throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
            username=_normalise(username), defaults={"window_started_at": now}
        )
        if throttle.window_started_at + window < now:
            throttle.failures, throttle.window_started_at = 0, now
        throttle.failures += 1
        locked = throttle.failures >= settings.TOKI_LOGIN_MAX_FAILURES
        if locked:
            throttle.locked_until = now + window
        throttle.save()
        user = User.objects.filter(username__iexact=_normalise(username)).first()
        # An unknown name leaves no audit row: the username itself could be personal data.
        if user is not None:
            audit.record(actor=None, action="accounts.login_locked" if locked else "accounts.login_failed",
                         obj=user, changes={"failures": throttle.failures})
    return locked


def record_login_success(user: User) -> None:
    with transaction.atomic():
        LoginThrottle.objects.filter(username=_normalise(user.username)).delete()
        audit.record(actor=user, action="accounts.login", obj=user)


def record_logout(user: User) -> None:
    with transaction.atomic():
        audit.record(actor=user, action="accounts.logout", obj=user)


def purge_expired_throttles() -> int:
    """Forget failure counters whose window and lock have both passed, and rate counters (ratelimit.py) whose
    window ended a day ago."""
    now = timezone.now()
    cutoff = now - timedelta(minutes=settings.TOKI_LOGIN_LOCK_MINUTES)
    expired = LoginThrottle.objects.filter(window_started_at__lt=cutoff).exclude(locked_until__gt=now)
    deleted, _ = expired.delete()
    return deleted + ratelimit.purge_expired(now=now)
