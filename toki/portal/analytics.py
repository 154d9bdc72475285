"""Privacy-preserving page-view counting (docs/portal-kpi.md).

A visitor is recognised within one day only, by SHA-256(day's random salt + IP address + User-Agent); the salt is
deleted when the day is over, and neither the IP address, the User-Agent nor any cookie identifier is stored.
Whether a visitor came on an earlier day is told by a first-party cookie holding only the date of the last visit
(the same value for everyone who came that day, so it identifies nobody).

These writes are counters, not domain changes: they are not audited and run outside any action (DESIGN.md rule 2
covers the survey answers, which go through toki.portal.actions).
"""

import hashlib
import logging
import re
import secrets
import threading
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.cache import patch_cache_control

from toki.lib.client_address import client_address
from toki.portal.models import DailySalt, DailyVisitorCount, PageViewCount, SurveyAnswer, VisitorDay

SEEN_COOKIE = "toki_seen"
SEEN_COOKIE_DAYS = 400  # a visit within this many days makes the next day's visit a repeat visit
KEEP_HASH_DAYS = 2  # today and yesterday keep their visitor keys; older ones are folded into the daily counts

_GROUPS = {
    "shelters": "shelters", "warnings": "alerts", "alerts": "alerts", "lifelines": "lifelines",
    "notices": "notices", "posts": "posts", "tourist": "tourist", "visitors": "tourist",
}
# Never counted: staff, API, files, feeds and redirects. Staff pages are also left out because they are only ever
# shown to logged-in users, and views by logged-in users are not counted at all.
# /tablet/: the household tablets count their own use (toki.community, docs/community.md), not as portal visits.
_EXCLUDED_PREFIXES = ("/portal/", "/accounts/", "/api/", "/static/", "/media/", "/admin/", "/cap/", "/language/",
                      "/tablet/")
_EXCLUDED_SEGMENTS = {"staff", "moderation", "manage"}
_BOT = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|scan|monitor|preview|headless|lighthouse|pagespeed|curl|wget|"
    r"python|httpx|java/|go-http|okhttp|libwww|perl|ruby|php|node-fetch|axios|facebookexternalhit|"
    r"embedly|whatsapp|bingpreview|feed|validator|checker",
)  # lower case, matched against the lowered User-Agent: re.IGNORECASE made this ~100 µs per page view, now ~10


def path_group(path: str) -> str | None:
    """The KPI group of a public path, or None when the path is never counted."""
    if path.startswith(_EXCLUDED_PREFIXES):
        return None
    segments = [s for s in path.split("/") if s]
    if _EXCLUDED_SEGMENTS.intersection(segments):
        return None
    if not segments:
        return "home"
    return _GROUPS.get(segments[0], "other")


def is_bot(user_agent: str) -> bool:
    """A deliberately simple check: no User-Agent, or one that names a crawler, a tool or a link previewer."""
    return not user_agent.strip() or bool(_BOT.search(user_agent.lower()))


def should_count(request, response) -> str | None:
    """The path group to count this response under, or None: only successful GET HTML responses of public pages
    to anonymous, human readers (prefetches and bots are left out)."""
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    if request.headers.get("Sec-Purpose", "").startswith("prefetch") or request.headers.get("Purpose") == "prefetch":
        return None
    if is_bot(request.headers.get("User-Agent", "")):
        return None
    return path_group(request.path)


def _seconds_to_midnight(now: datetime) -> int:
    midnight = datetime.combine(timezone.localdate(now) + timedelta(days=1), time.min,
                                tzinfo=timezone.get_current_timezone())
    return max(1, int((midnight - now).total_seconds()))


def daily_salt(day: date) -> str:
    """The salt of `day` (created on first use), read from the cache when another request already fetched it."""
    key = f"toki:portal:salt:{day.isoformat()}"
    salt = cache.get(key)
    if salt is None:
        table = connection.ops.quote_name(DailySalt._meta.db_table)
        with connection.cursor() as cursor:
            # One statement, safe under concurrency: the first writer's salt wins and every caller gets it.
            cursor.execute(
                f"INSERT INTO {table} (day, salt) VALUES (%s, %s) "  # noqa: S608 - table name from the model
                "ON CONFLICT (day) DO UPDATE SET day = EXCLUDED.day RETURNING salt",
                [day, secrets.token_hex(32)],
            )
            salt = cursor.fetchone()[0]
        cache.set(key, salt, _seconds_to_midnight(timezone.now()))
    return salt


def visitor_hash(request, day: date) -> str:
    """SHA-256 over the day's salt, the IP address and the User-Agent: the same reader gets the same key all day,
    and an unrelated one the next day."""
    material = "\n".join([daily_salt(day), client_address(request), request.headers.get("User-Agent", "")])
    return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()


def address_hash(request, day: date) -> str:
    """SHA-256 over the day's salt and the IP address alone (for the survey's rate limit, kept in the cache)."""
    material = "\n".join([daily_salt(day), "address", client_address(request)])
    return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()


def last_seen(request) -> date | None:
    value = request.COOKIES.get(SEEN_COOKIE, "")
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _increment_views(day: date, group: str, views: int = 1) -> None:
    table = connection.ops.quote_name(PageViewCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, path_group, views) VALUES (%s, %s, %s) "  # noqa: S608 - model table
            f"ON CONFLICT (day, path_group) DO UPDATE SET views = {table}.views + EXCLUDED.views",
            [day, group, views],
        )


class PendingViews:
    """Page views this process could not write (the database or the cache failed): kept in memory and added by
    the next view that is written, so a short outage costs no count. Past `limit` views a view is dropped and
    counted in `dropped` (logged), so a long outage costs memory no more than that. Per process: a process that
    stops with views pending loses them (they are logged as pending when they are kept)."""

    def __init__(self, limit: int = 10_000):
        self.limit = limit
        self.views: Counter = Counter()
        self.dropped = 0
        self._lock = threading.Lock()

    def keep(self, day: date, group: str) -> bool:
        with self._lock:
            if self.views.total() >= self.limit:
                self.dropped += 1
                return False
            self.views[(day, group)] += 1
            return True

    def take(self) -> Counter:
        with self._lock:
            views, self.views = self.views, Counter()
        return views

    def put_back(self, views: Counter) -> None:
        with self._lock:
            self.views.update(views)


pending_views = PendingViews()
log = logging.getLogger(__name__)


def count_or_keep(request, response, group: str) -> None:
    """The middleware's entry: count the view, or keep it for later when counting fails (never raises: a
    counter must never cost the reader their page)."""
    try:
        count_page_view(request, response, group)
    except Exception:
        day = timezone.localdate()
        if pending_views.keep(day, group):
            log.warning("page view not counted yet: kept (%s pending)", pending_views.views.total(), exc_info=True)
        else:
            log.warning("page view dropped: %s dropped since start", pending_views.dropped)
        return
    _write_pending()


def _write_pending() -> None:
    if not pending_views.views:
        return
    views = pending_views.take()
    try:
        for (day, group), count in views.items():
            _increment_views(day, group, count)
    except Exception:
        pending_views.put_back(views)


def _record_visitor(day: date, key: str, *, is_repeat: bool, now: datetime) -> None:
    first_seen = now.replace(minute=0, second=0, microsecond=0)
    VisitorDay.objects.bulk_create(
        [VisitorDay(day=day, visitor_hash=key, first_seen=first_seen, is_repeat=is_repeat)], ignore_conflicts=True
    )


def count_page_view(request, response, group: str) -> None:
    """Count one page view (one query), and the visitor once a day (one more, plus the salt once per process and
    day). The reader's browser is then told today's date so their later views today cost one query."""
    now = timezone.now()
    today = timezone.localdate(now)
    _increment_views(today, group)
    seen = last_seen(request)
    if seen == today:
        return
    _record_visitor(today, visitor_hash(request, today), is_repeat=seen is not None and seen < today, now=now)
    response.set_cookie(SEEN_COOKIE, today.isoformat(), max_age=SEEN_COOKIE_DAYS * 24 * 3600,
                        secure=request.is_secure(), httponly=True, samesite="Lax")
    # A shared cache must not hand this Set-Cookie to other readers (who would then never be counted).
    patch_cache_control(response, private=True)


def rotate(today: date | None = None) -> dict:
    """Delete the salts of past days, fold visitor keys older than KEEP_HASH_DAYS into the daily counts and blank
    the survey answers' keys of those days. Idempotent; safe to run twice at once (one transaction, additive)."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=KEEP_HASH_DAYS - 1)  # keys of days before this go
    with transaction.atomic():
        salts = DailySalt.objects.filter(day__lt=today).delete()[0]
        folded = 0
        for day in sorted(set(VisitorDay.objects.filter(day__lt=cutoff).values_list("day", flat=True))):
            # The day's count row is locked first: a second rotation running at once waits here, then finds the
            # keys already deleted and adds nothing.
            DailyVisitorCount.objects.get_or_create(day=day)
            counts = DailyVisitorCount.objects.select_for_update().get(day=day)
            keys = VisitorDay.objects.filter(day=day)
            found = keys.aggregate(total=Count("id"), repeat=Count("id", filter=Q(is_repeat=True)))
            keys.delete()
            DailyVisitorCount.objects.filter(pk=counts.pk).update(
                unique_visitors=F("unique_visitors") + found["total"],
                repeat_visitors=F("repeat_visitors") + found["repeat"])
            folded += found["total"]
        blanked = SurveyAnswer.objects.filter(day__lt=cutoff, visitor_hash__isnull=False).update(visitor_hash=None)
    return {"salts": salts, "visitor_keys": folded, "survey_keys": blanked}
