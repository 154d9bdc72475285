"""Every change to accounts: users, org units, memberships, passwords and login throttling."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit, ratelimit
from toki.accounts.models import LoginThrottle, Membership, OrgUnit, User
from toki.lib.tasks import enqueue_on_commit


def ensure_user(*, acting_user, username: str, display_name: str = "", password: str | None = None,
                email: str = "") -> User:
    """Create the user if missing (with `password`); an existing user is returned unchanged."""
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name,
                                                                                "email": email})
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


# --- Login throttling (docs/security.md) -------------------------------------------------------------
# Failures are counted per (username, client): a client is an address, or a known device (devices.py). After
# TOKI_LOGIN_MAX_FAILURES failures that client waits TOKI_LOGIN_DELAY_SECONDS, doubled at each further failure, at
# most TOKI_LOGIN_LOCK_MINUTES. The account-wide row counts every unknown client together and holds unknown
# clients back the same way after TOKI_LOGIN_ACCOUNT_MAX_FAILURES; a known device is never held by it. Failures
# are forgotten FAILURES_FORGOTTEN_AFTER the last one; the owner is told at most every OWNER_NOTICE_EVERY.
FAILURES_FORGOTTEN_AFTER = timedelta(hours=24)
OWNER_NOTICE_EVERY = timedelta(hours=1)

def _normalise(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _longest_delay() -> timedelta:
    return timedelta(minutes=settings.TOKI_LOGIN_LOCK_MINUTES)


def _delay(failures: int, free: int) -> timedelta | None:
    """The wait after `failures` failures when `free` are allowed without one: growing, capped."""
    if failures < free:
        return None
    seconds = settings.TOKI_LOGIN_DELAY_SECONDS * 2 ** min(failures - free, 20)
    return min(timedelta(seconds=seconds), _longest_delay())


def login_wait(username: str, client: str, *, known_device: bool) -> timedelta | None:
    """How long this client must wait before `username` may try again, or None when it may try now."""
    now = timezone.now()
    rows = LoginThrottle.objects.filter(username=_normalise(username), locked_until__gt=now)
    rows = rows.filter(client=client) if known_device else rows.filter(client__in=[client, LoginThrottle.ACCOUNT])
    until = max((row.locked_until for row in rows), default=None)
    return until - now if until else None


def _count_failure(username: str, client: str, free: int, now) -> tuple[LoginThrottle, bool]:
    """Count one failure on the row; returns it and whether this failure started a wait."""
    throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
        username=username, client=client, defaults={"last_failure_at": now})
    if throttle.last_failure_at + FAILURES_FORGOTTEN_AFTER < now:
        throttle.failures = 0
    throttle.failures += 1
    throttle.last_failure_at = now
    delay = _delay(throttle.failures, free)
    started = delay is not None and not (throttle.locked_until and throttle.locked_until > now)
    if delay is not None:
        throttle.locked_until = now + delay
    throttle.save()
    return throttle, started


def record_login_failure(username: str, client: str, *, known_device: bool) -> timedelta | None:
    """Count a failed login of `username` from `client`; returns the wait it imposes (None: none yet)."""
    now = timezone.now()
    name = _normalise(username)
    with transaction.atomic():
        pair, pair_started = _count_failure(name, client, settings.TOKI_LOGIN_MAX_FAILURES, now)
        account, account_started = (None, False) if known_device else _count_failure(
            name, LoginThrottle.ACCOUNT, settings.TOKI_LOGIN_ACCOUNT_MAX_FAILURES, now)
        user = User.objects.filter(username__iexact=name).first()
        # An unknown name leaves no audit row: the username itself could be personal data.
        if user is not None:
            held = pair.locked_until and pair.locked_until > now
            audit.record(actor=None, action="accounts.login_locked" if held else "accounts.login_failed",
                         obj=user, changes={"failures": pair.failures, "known_device": known_device,
                                            "account_failures": account.failures if account else None})
            if pair_started or account_started:
                _tell_owner(user, name, now)
    return login_wait(username, client, known_device=known_device)


def _tell_owner(user: User, username: str, now) -> None:
    """E-mail the owner that someone is failing to log in as them (at most every OWNER_NOTICE_EVERY). They also
    see it at their next login (views.StaffLoginView), from the audit trail."""
    account, _ = LoginThrottle.objects.select_for_update().get_or_create(
        username=username, client=LoginThrottle.ACCOUNT, defaults={"last_failure_at": now})
    if account.notified_at and account.notified_at + OWNER_NOTICE_EVERY > now:
        return
    account.notified_at = now
    account.save(update_fields=["notified_at"])
    if user.email:
        from toki.accounts.tasks import send_login_attack_notice

        enqueue_on_commit(send_login_attack_notice, user.pk)


def record_login_success(user: User, client: str) -> None:
    """A correct password: this client starts again from zero (the account-wide count runs out on its own)."""
    with transaction.atomic():
        LoginThrottle.objects.filter(username=_normalise(user.username), client=client).delete()
        audit.record(actor=user, action="accounts.login", obj=user)


def unlock_login(*, acting_user, user: User) -> int:
    """An HQ admin lets `user` log in again from everywhere at once: every failure counter of the name goes."""
    with transaction.atomic():
        deleted, _ = LoginThrottle.objects.filter(username=_normalise(user.username)).delete()
        audit.record(actor=acting_user, action="accounts.login_unlocked", obj=user, changes={"counters": deleted})
    return deleted


def record_logout(user: User) -> None:
    with transaction.atomic():
        audit.record(actor=user, action="accounts.logout", obj=user)


def purge_expired_throttles() -> int:
    """Forget failure counters whose window and lock have both passed, and rate counters (ratelimit.py) whose
    window ended a day ago."""
    now = timezone.now()
    expired = LoginThrottle.objects.filter(last_failure_at__lt=now - FAILURES_FORGOTTEN_AFTER)
    expired = expired.exclude(locked_until__gt=now)
    deleted, _ = expired.delete()
    return deleted + ratelimit.purge_expired(now=now)
