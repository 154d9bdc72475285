"""Reads behind the CAP views. The feed and the CAP documents are public data: only `actual` alerts of the
default municipality, never drills or tests; importing is for HQ editors and administrators."""

from datetime import datetime

from django.db.models import Max, Q

from toki.alerts.cap.build import DEFAULT_EXPIRY
from toki.alerts.models import Alert

FEED_MAX_ENTRIES = 100  # Google: ideally ~100 KB per feed; an entry is about 600 bytes


def _public(municipality):
    return Alert.objects.filter(municipality=municipality, status=Alert.Status.ACTUAL)


def current_public_alerts(municipality, now: datetime) -> list[Alert]:
    """The alerts in the feed: public, not expired (an alert without an expiry counts for DEFAULT_EXPIRY after it
    was sent), newest first, at most FEED_MAX_ENTRIES. Updated and cancelled alerts stay until they expire, as
    Google Public Alerts asks. One query."""
    in_force = Q(expires_at__gt=now) | Q(expires_at=None, sent_at__gt=now - DEFAULT_EXPIRY)
    return list(_public(municipality).filter(in_force).select_related("municipality")
                .order_by("-sent_at", "-pk")[:FEED_MAX_ENTRIES])


def feed_last_modified(municipality, now: datetime) -> datetime | None:
    """When the feed's content last changed: the newest public alert stored, or the last one to expire out of
    it, whichever is later (None when there never was a public alert). One query."""
    times = _public(municipality).aggregate(
        stored=Max("created_at"),
        expired=Max("expires_at", filter=Q(expires_at__lte=now)),
        lapsed=Max("sent_at", filter=Q(expires_at=None, sent_at__lte=now - DEFAULT_EXPIRY)),
    )
    candidates = [times["stored"], times["expired"], times["lapsed"] and times["lapsed"] + DEFAULT_EXPIRY]
    candidates = [t for t in candidates if t is not None]
    return max(candidates) if candidates else None


def get_public_alert(municipality, pk: int) -> Alert | None:
    """A public (actual) alert of the municipality, or None: drills, tests and other towns' alerts are not served."""
    return _public(municipality).select_related("municipality").filter(pk=pk).first()
