"""Storing JMA telegrams once, the feeds' polling state, and quarantine (reference §1 and §6; docs/jma-feeds.md).

    poll_feed(url)            one conditional GET of an Atom feed; every entry not yet held is fetched once and
                              stored, oldest `updated` first
    store_telegram(url, body) parse, test relevance, store with its hash in one transaction; on commit enqueue
                              `process_telegram` for a telegram that concerns the municipality

What Toki holds is keyed on the telegram's URL (the entry's link): a URL that is a Telegram, or a telegram
QuarantinedInput, is never downloaded again. Two pollers may run at once: with `min_gap` (poll_jma passes half
its interval) only one of them polls a feed at a time, the other skips; and should both fetch the same telegram
anyway, the unique URL makes the second store a no-op (it returns the row the first one committed, enqueues
nothing).

The feed's Last-Modified advances only when every entry of that version was dealt with. If a telegram could
not be fetched (timeout, HTTP 5xx), the next poll downloads the feed again instead of getting a 304, and
fetches the telegrams still missing (and only those).

Audit: each stored telegram and each quarantined input writes an AuditEvent (actor: the system). The feeds'
bookkeeping (last polled, Last-Modified, last error) does not: it changes every minute and is not a state
anyone acts on.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from toki.accounts import audit
from toki.alerts.feeds import config
from toki.alerts.feeds.atom import EntryProblem, FeedError, parse_feed
from toki.alerts.feeds.http import FetchError, fetch
from toki.alerts.jma.model import Telegram as ParsedTelegram
from toki.alerts.jma.parser import parse_telegram
from toki.alerts.jma.relevance import matching_areas
from toki.alerts.jma.xmlsafe import JmaParseError
from toki.alerts.models import JmaFeed, QuarantinedInput, Telegram
from toki.alerts.tasks import process_telegram
from toki.areas.selectors import default_municipality
from toki.lib.tasks import enqueue_on_commit

log = logging.getLogger("toki.alerts.poll")

SAMPLE_CHARS = 500  # the first characters of refused input kept for review
_IN_BATCH = 500  # URLs per `IN (…)` query: SQLite limits the number of parameters
_TEXT_FIELDS = ("title", "type_code", "status", "info_type", "editorial_office", "event_id", "serial")


@dataclass
class PollResult:
    """What one poll of one feed did; `log_line()` is the line the poller logs."""

    feed: str
    status: str = "ok"  # ok | not-modified | skipped | error | quarantined | stopped
    http_status: int | None = None
    entries: int = 0  # usable entries in the feed
    new: int = 0  # telegrams stored by this poll
    relevant: int = 0  # of which concern the municipality (processing enqueued)
    held: int = 0  # entries whose telegram was already held or quarantined: not fetched
    quarantined: int = 0  # inputs quarantined by this poll (the feed, entries, telegrams)
    failed: int = 0  # telegrams that could not be fetched this time (retried next poll)
    error: str = ""
    elapsed: float = 0.0
    telegram_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "not-modified", "skipped") and not self.failed

    def log_line(self) -> str:
        http_status = self.http_status if self.http_status is not None else "-"
        line = (f"feed={self.feed} status={self.status} http={http_status} entries={self.entries} new={self.new} "
                f"relevant={self.relevant} held={self.held} quarantined={self.quarantined} failed={self.failed} "
                f"ms={self.elapsed * 1000:.0f}")
        return f"{line} error={self.error!r}" if self.error else line


# --- quarantine ------------------------------------------------------------------------------------------
def _sample(data: bytes) -> str:
    return data[: SAMPLE_CHARS * 4].decode("utf-8", "replace")[:SAMPLE_CHARS]


def quarantine(kind: str, url: str, reason: str, *, data: bytes = b"", sha256: str = "",
               sample: str = "") -> QuarantinedInput | None:
    """Keep refused input with its reason, once: a telegram once per URL (its URL is then never fetched again),
    a feed once per URL and content hash. Returns the new row, or None when it was already quarantined.

    Two pollers refusing the same input at the same moment may both write a row; that is harmless.
    """
    if data and not sha256:
        sha256 = hashlib.sha256(data).hexdigest()
    known = QuarantinedInput.objects.filter(kind=kind, url=url[:500])
    if kind != QuarantinedInput.Kind.TELEGRAM:
        known = known.filter(sha256=sha256)
    if known.exists():
        return None
    with transaction.atomic():
        row = QuarantinedInput.objects.create(kind=kind, url=url[:500], reason=reason, sha256=sha256,
                                              sample=sample or _sample(data))
        audit.record(actor=None, action="alerts.quarantine_input", obj=row,
                     changes={"kind": kind, "url": url[:500], "reason": reason[:300], "sha256": sha256})
    log.warning("quarantined %s %s: %s", kind, url, reason)
    return row


def _quarantine_entry(feed_url: str, problem: EntryProblem) -> QuarantinedInput | None:
    return quarantine(QuarantinedInput.Kind.FEED, feed_url, problem.describe(), sha256=problem.sha256,
                      sample=problem.sample)


# --- storing telegrams -----------------------------------------------------------------------------------
def municipality_codes() -> dict:
    """The JMA codes of the default municipality ({} when no profile is loaded: nothing concerns it)."""
    municipality = default_municipality()
    if municipality is None:
        log.warning("no default municipality: stored telegrams are not tested for relevance")
        return {}
    return municipality.jma_codes or {}


def _held(url: str) -> Telegram | None:
    return Telegram.objects.filter(url=url).first()


REPLACING_INFO_TYPES = ("訂正", "取消")


def series(parsed: ParsedTelegram):
    """The stored telegrams of the same series as `parsed` (same Control/Title, editorial office and EventID):
    the ones a 訂正 or 取消 replaces (reference §6.2)."""
    return Telegram.objects.filter(title=parsed.title, editorial_office=parsed.editorial_office,
                                   event_id=parsed.event_id)


def replaces_concerning(parsed: ParsedTelegram) -> bool:
    """A 訂正 or 取消 concerns the municipality when a telegram it replaces did, whatever areas it names itself:
    a real 取消 carries none (its Body is only a Text), and a 訂正 may drop the municipality from the list."""
    if parsed.info_type not in REPLACING_INFO_TYPES:
        return False
    return series(parsed).filter(concerns=True, report_at__lte=parsed.report_datetime).exists()


def _fields(parsed: ParsedTelegram, codes: dict) -> dict:
    matches = matching_areas(parsed, codes) if codes else ()
    values = {
        "title": parsed.title,
        "type_code": parsed.message_type.code or "",
        "status": parsed.status,
        "info_type": parsed.info_type,
        "editorial_office": parsed.editorial_office,
        "event_id": parsed.event_id,
        "serial": parsed.serial,
    }
    for name in _TEXT_FIELDS:
        limit = Telegram._meta.get_field(name).max_length
        if len(values[name]) > limit:
            raise JmaParseError(f"{name} {values[name][:60]!r}… is longer than {limit} characters")
    return {
        **values,
        "report_at": parsed.report_datetime,
        "parsed": parsed.to_dict(),
        "concerns": bool(matches) or bool(codes and replaces_concerning(parsed)),
        "matched_areas": [
            {"key": m.key, "name": m.area.name, "code": m.area.code, "code_type": m.area.code_type} for m in matches
        ],
    }


def _refusal(url: str, body: bytes) -> tuple[ParsedTelegram | None, str]:
    """Parse the body; (parsed, "") or (None, the reason it is refused)."""
    try:
        parsed = parse_telegram(body, source_name=url)
        body.decode("utf-8")
    except JmaParseError as exc:
        return None, str(exc)
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8: {exc}"
    except Exception as exc:  # a parser bug must not stop the poller: the telegram is kept for review
        log.exception("the JMA parser failed on %s", url)
        return None, f"parser failed: {type(exc).__name__}: {exc}"
    return parsed, ""


def _store(url: str, body: bytes, *, fetched_at: datetime, codes: dict) -> tuple[Telegram | None, bool]:
    """(telegram, created); (None, False) when the telegram was quarantined."""
    held = _held(url)
    if held is not None:
        return held, False
    sha256 = hashlib.sha256(body).hexdigest()
    parsed, reason = _refusal(url, body)
    if parsed is not None:
        try:
            fields = _fields(parsed, codes)
        except JmaParseError as exc:
            parsed, reason = None, str(exc)
    if parsed is None:
        quarantine(QuarantinedInput.Kind.TELEGRAM, url, reason, data=body, sha256=sha256)
        return None, False
    try:
        with transaction.atomic():
            telegram = Telegram.objects.create(url=url, sha256=sha256, body=body.decode("utf-8"),
                                               fetched_at=fetched_at, **fields)
            audit.record(actor=None, action="alerts.store_telegram", obj=telegram, changes={
                "url": url, "sha256": sha256, "type_code": telegram.type_code, "status": telegram.status,
                "info_type": telegram.info_type, "concerns": telegram.concerns,
            })
            if telegram.concerns:
                enqueue_on_commit(process_telegram, telegram.id)
    except IntegrityError:
        held = _held(url)  # another poller committed the same URL between our check and our insert
        if held is None:
            raise
        return held, False
    return telegram, True


def store_telegram(url: str, body: bytes, *, fetched_at: datetime) -> Telegram | None:
    """Store a fetched telegram once, keyed on its URL; enqueue its processing on commit if it concerns the
    municipality. A URL already held returns the stored row and changes nothing. Input the parser refuses is
    quarantined (kind telegram, with the reason) and None is returned; that URL is not fetched again."""
    telegram, _created = _store(url, body, fetched_at=fetched_at, codes=municipality_codes())
    return telegram


# --- polling feeds ---------------------------------------------------------------------------------------
def _feed_row(url: str) -> JmaFeed:
    row, _created = JmaFeed.objects.get_or_create(url=url)  # get_or_create survives a race on the unique URL
    return row


def _claim(row: JmaFeed, polled_at: datetime, min_gap: float) -> bool:
    """Take this poll of the feed unless another poller started one less than min_gap seconds ago.

    One UPDATE … WHERE, atomic on SQLite and PostgreSQL alike, and no lock held during the network I/O: of two
    pollers waking at the same second, one polls and the other skips, so no telegram is downloaded twice.
    """
    if min_gap <= 0:
        return True
    gap = timedelta(seconds=min_gap)
    free = Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=polled_at - gap)
    free |= Q(last_polled_at__gt=polled_at + gap)  # a time in the future (a clock that was wrong) holds nothing
    return JmaFeed.objects.filter(free, pk=row.pk).update(last_polled_at=polled_at) == 1


def _storable(last_modified: str) -> str:
    """A Last-Modified too long to store is no real HTTP date: poll unconditionally rather than send a cut one."""
    return last_modified if len(last_modified) <= JmaFeed._meta.get_field("last_modified").max_length else ""


def _save_feed(row: JmaFeed, **changes) -> None:
    JmaFeed.objects.filter(pk=row.pk).update(**changes)


def _known_urls(urls: list[str]) -> set[str]:
    """URLs that are a stored Telegram or a quarantined telegram."""
    known: set[str] = set()
    for start in range(0, len(urls), _IN_BATCH):
        batch = urls[start:start + _IN_BATCH]
        known.update(Telegram.objects.filter(url__in=batch).values_list("url", flat=True))
        known.update(QuarantinedInput.objects.filter(kind=QuarantinedInput.Kind.TELEGRAM, url__in=batch)
                     .values_list("url", flat=True))
    return known


def _is_known(url: str) -> bool:
    return (Telegram.objects.filter(url=url).exists()
            or QuarantinedInput.objects.filter(kind=QuarantinedInput.Kind.TELEGRAM, url=url).exists())


def _finish(result: PollResult, started: float) -> PollResult:
    result.elapsed = time.monotonic() - started
    level = logging.INFO if result.ok else logging.WARNING
    log.log(level, "poll %s", result.log_line())
    return result


def poll_feed(url: str, *, now: datetime | None = None, should_stop: Callable[[], bool] | None = None,
              min_gap: float = 0) -> PollResult:
    """Poll one feed: conditional GET, parse, fetch and store each entry not yet held, oldest first.

    Never raises for what the network or JMA sends: a fetch error is recorded on the JmaFeed row
    (last_error), a malformed feed is quarantined. should_stop is asked between telegrams (SIGTERM). With
    min_gap, the poll is skipped when another poller started one on this feed less than min_gap seconds ago.
    """
    started = time.monotonic()
    polled_at = now or timezone.now()
    result = PollResult(feed=url)
    row = _feed_row(url)
    if not _claim(row, polled_at, min_gap):
        result.status = "skipped"
        return _finish(result, started)
    timeout, user_agent = config.timeout(), config.user_agent()
    try:
        response = fetch(url, if_modified_since=row.last_modified, max_bytes=config.max_feed_bytes(),
                         timeout=timeout, user_agent=user_agent)
    except FetchError as exc:
        result.status, result.http_status, result.error = "error", exc.status, exc.reason
        _save_feed(row, last_polled_at=polled_at, last_error=exc.reason)
        return _finish(result, started)
    result.http_status = response.status
    if response.not_modified:
        result.status = "not-modified"
        _save_feed(row, last_polled_at=polled_at, last_success_at=polled_at, last_error="",
                   last_modified=_storable(response.last_modified) or row.last_modified)
        return _finish(result, started)
    try:
        feed = parse_feed(response.body, max_bytes=config.max_feed_bytes())
    except FeedError as exc:
        # Last-Modified is not advanced: a copy damaged on the way is downloaded again next time.
        result.status, result.error = "quarantined", str(exc)
        result.quarantined += quarantine(QuarantinedInput.Kind.FEED, url, str(exc), data=response.body) is not None
        _save_feed(row, last_polled_at=polled_at, last_error=f"feed quarantined: {exc}")
        return _finish(result, started)
    result.quarantined += sum(_quarantine_entry(url, problem) is not None for problem in feed.problems)
    result.entries = len(feed.entries)
    errors = _fetch_entries(feed.entries, result, now=now, should_stop=should_stop,
                            timeout=timeout, user_agent=user_agent)
    complete = not errors and result.status != "stopped"
    if errors:
        result.error = f"{len(errors)} telegram(s) not fetched; first: {errors[0]}"
    _save_feed(row, last_polled_at=polled_at, last_success_at=polled_at, last_error=result.error,
               last_modified=_storable(response.last_modified) if complete else row.last_modified)
    return _finish(result, started)


def _fetch_entries(entries: Iterable, result: PollResult, *, now: datetime | None,
                   should_stop: Callable[[], bool] | None, timeout: float, user_agent: str) -> list[str]:
    """Fetch and store the entries not yet held, in order; returns the fetch errors ("url: reason")."""
    entries = list(entries)
    known = _known_urls([entry.link for entry in entries])
    codes = municipality_codes()
    errors: list[str] = []
    for entry in entries:
        if should_stop is not None and should_stop():
            result.status = "stopped"
            break
        if entry.link in known or _is_known(entry.link):  # re-checked: another poller may have stored it
            result.held += 1
            continue
        try:
            response = fetch(entry.link, max_bytes=config.max_telegram_bytes(), timeout=timeout,
                             user_agent=user_agent)
        except FetchError as exc:
            if exc.permanent:
                result.quarantined += quarantine(QuarantinedInput.Kind.TELEGRAM, entry.link,
                                                 f"download refused: {exc.reason}") is not None
            else:
                result.failed += 1
                errors.append(f"{entry.link}: {exc.reason}")
                log.warning("telegram %s not fetched: %s", entry.link, exc.reason)
            continue
        telegram, created = _store(entry.link, response.body, fetched_at=now or timezone.now(), codes=codes)
        if telegram is None:
            result.quarantined += 1
        elif created:
            result.new += 1
            result.relevant += telegram.concerns
            result.telegram_ids.append(telegram.id)
        else:
            result.held += 1
    return errors


def poll_feeds(urls: Iterable[str], *, now: datetime | None = None,
               should_stop: Callable[[], bool] | None = None, min_gap: float = 0) -> list[PollResult]:
    """Poll each feed in turn; one failing feed (even with an unexpected error) does not stop the next."""
    results = []
    for url in urls:
        if should_stop is not None and should_stop():
            break
        try:
            results.append(poll_feed(url, now=now, should_stop=should_stop, min_gap=min_gap))
        except Exception as exc:  # a database or programming error on one feed: log it, go on with the next
            log.exception("poll of %s failed", url)
            results.append(PollResult(feed=url, status="error", error=f"{type(exc).__name__}: {exc}"))
    return results


def feeds_needing_backfill(feed_urls: list[str], long_feed_urls: list[str], *, now: datetime | None = None,
                           after: float | None = None) -> list[str]:
    """The long feeds to read before the high-frequency ones: all those not read successfully in the last
    `after` seconds, when some high-frequency feed has not been read successfully in that time either (the
    high-frequency feeds list only the last ~10 minutes, so entries may have been missed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=config.backfill_after() if after is None else after)
    fresh = set(JmaFeed.objects.filter(url__in=[*feed_urls, *long_feed_urls], last_success_at__gte=cutoff)
                .values_list("url", flat=True))
    if all(url in fresh for url in feed_urls):
        return []
    return [url for url in long_feed_urls if url not in fresh]


def prune_telegrams(*, now: datetime | None = None) -> int:
    """Delete stored telegrams that do not concern the municipality once they are older than
    TOKI_JMA_KEEP_OTHER_DAYS. Their URLs may then be fetched again only if a long feed still lists them, which it
    stops doing after a few days, well inside the default of 14. Telegrams that made an Alert are kept."""
    from django.conf import settings

    cutoff = (now or timezone.now()) - timedelta(days=settings.TOKI_JMA_KEEP_OTHER_DAYS)
    with transaction.atomic():
        old = Telegram.objects.filter(concerns=False, fetched_at__lt=cutoff, alert__isnull=True)
        deleted, _ = old.delete()
        if deleted:
            audit.record(actor=None, action="alerts.prune_telegrams", changes={"deleted": deleted})
    return deleted
