"""Fixed-window rate limits kept in the database, so every server process and machine counts together.

Bookkeeping only, like the login throttle: no audit row. Counted values (client addresses, device tokens) are
stored as keyed hashes (`key_for`), never in clear. Every app's limits count here (posts, the portal's survey, the
public shelter pages); `manage.py purge_login_throttles` (hourly) deletes counters whose window ended.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from toki.accounts.models import RateCounter

GLOBAL = "*"  # the key of a limit that counts everyone together


@dataclass(frozen=True)
class Limit:
    scope: str  # names the limit, e.g. "posts.address"
    limit: int  # at most this many …
    window: timedelta  # … per window

    def key_for(self, value: str) -> str:
        """The stored key for `value`: HMAC-SHA256 keyed with SECRET_KEY and the scope."""
        return salted_hmac(f"toki.ratelimit.{self.scope}", value, algorithm="sha256").hexdigest()


def _current(counter: RateCounter | None, limit: Limit, now) -> int:
    if counter is None or now - counter.window_started_at >= limit.window:
        return 0
    return counter.count


def exceeded(limit: Limit, key: str, *, now=None) -> bool:
    """Is `key` already at its limit? (A look, nothing counted: to refuse early, before costly work.)"""
    now = now or timezone.now()
    return _current(RateCounter.objects.filter(scope=limit.scope, key=key).first(), limit, now) >= limit.limit


def resets_at(limit: Limit, key: str, *, now=None):
    """When `key`'s current window ends and it may be used again (None: it is not at its limit). For a 429 page
    that says when to try again."""
    now = now or timezone.now()
    counter = RateCounter.objects.filter(scope=limit.scope, key=key).first()
    if _current(counter, limit, now) < limit.limit:
        return None
    assert counter is not None
    return counter.window_started_at + limit.window


def take(limit: Limit, key: str, *, now=None) -> bool:
    """Count one use for `key`; False (and nothing counted) when it is over the limit. Inside a caller's
    transaction the count rolls back with it; the row lock makes concurrent takes wait for each other."""
    now = now or timezone.now()
    with transaction.atomic():
        counter, _ = RateCounter.objects.select_for_update().get_or_create(
            scope=limit.scope, key=key, defaults={"window_started_at": now})
        current = _current(counter, limit, now)
        if current >= limit.limit:
            return False
        if current == 0:
            counter.window_started_at = now
        counter.count = current + 1
        counter.save(update_fields=["count", "window_started_at"])
    return True


def take_all(*uses: tuple[Limit, str], now=None) -> bool:
    """Count one use of each (limit, key) in order, all or none: False, and nothing counted, as soon as one is over
    its limit. Put the narrowest first (the client's own, then everyone's): a client over its own limit does not
    spend the common budget. Rows are locked in the order given."""
    now = now or timezone.now()
    with transaction.atomic():
        if all(take(limit, key, now=now) for limit, key in uses):
            return True
        transaction.set_rollback(True)  # undo the counts already taken in this block
    return False


def purge_expired(*, now=None, longest_window: timedelta = timedelta(days=1)) -> int:
    """Delete counters whose window started more than `longest_window` ago (no limit here is longer)."""
    now = now or timezone.now()
    deleted, _ = RateCounter.objects.filter(window_started_at__lt=now - longest_window).delete()
    return deleted
