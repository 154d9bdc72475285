"""The loaded profiles' terms: their JMA areas and JMA offices named in every language (docs/areas.md, "terms").

The alert renderer reads them for every place and office it names, so they are read from the database once and
kept per process:

    terms = profile_terms()            # every loaded municipality's terms together, the default's first
    terms.places["city:1522400"]["en"] # "Sado City"
    terms_of(municipality)             # one municipality's own

Loading a profile forgets them (`forget`, called by `load_profile` at once and again when its transaction
commits); other processes notice through a generation counter in the shared cache, checked at most every
RECHECK_SECONDS. Inside a transaction the terms are read once for that transaction only (what a transaction that
may still roll back wrote must not outlive it): the memo holds while a marker registered with `on_commit` is
still pending, and Django drops the marker when the transaction or the savepoint it was set in rolls back.
"""

import threading
import time
from dataclasses import dataclass, field
from types import MappingProxyType

from django.core.cache import cache
from django.db import connection, transaction

from toki.areas.models import Municipality

GENERATION_KEY = "toki:areas:terms:generation"
RECHECK_SECONDS = 5.0

Table = MappingProxyType  # key → {language: text}, read-only


@dataclass(frozen=True)
class ProfileTerms:
    """Place names by "<system>:<code>" and JMA office names by their Japanese name, each {language: text}."""

    places: Table = field(default_factory=lambda: MappingProxyType({}))
    offices: Table = field(default_factory=lambda: MappingProxyType({}))


@dataclass
class _Kept:
    generation: object = None
    checked: float = float("-inf")
    by_municipality: dict | None = None
    merged: ProfileTerms | None = None


_kept = _Kept()
_transaction = threading.local()  # .memo: (marker, by_municipality, merged) for the thread's open transaction


def _terms(profile_terms: dict | None) -> ProfileTerms:
    terms = profile_terms or {}
    return ProfileTerms(
        places=MappingProxyType(dict(terms.get("places", {}))),
        offices=MappingProxyType(dict(terms.get("offices", {}))),
    )


def _read() -> tuple[dict, ProfileTerms]:
    """Every municipality's terms (one query) and all of them together: the default municipality wins a key that
    two profiles name differently, then the lower code."""
    rows = Municipality.objects.order_by("-is_default", "code").values_list("pk", "profile__terms")
    by_municipality = {pk: _terms(terms) for pk, terms in rows}
    places: dict = {}
    offices: dict = {}
    for terms in by_municipality.values():
        places = {**terms.places, **places}
        offices = {**terms.offices, **offices}
    return by_municipality, ProfileTerms(MappingProxyType(places), MappingProxyType(offices))


def _in_transaction() -> tuple[dict, ProfileTerms]:
    memo = getattr(_transaction, "memo", None)
    # Django keeps (savepoint ids, callback, robust) per on_commit callback; the stubs know only two of them.
    pending = [entry[1] for entry in connection.run_on_commit]
    if memo is not None and any(func is memo[0] for func in pending):
        return memo[1], memo[2]
    by_municipality, merged = _read()

    def marker():  # pending while this transaction (and the savepoint it was read in) lasts
        pass

    transaction.on_commit(marker)
    _transaction.memo = (marker, by_municipality, merged)
    return by_municipality, merged


def _current() -> tuple[dict, ProfileTerms]:
    if connection.in_atomic_block:
        return _in_transaction()  # possibly uncommitted: kept for this transaction only
    now = time.monotonic()
    if _kept.merged is not None and _kept.by_municipality is not None and now - _kept.checked < RECHECK_SECONDS:
        return _kept.by_municipality, _kept.merged
    try:
        generation = cache.get(GENERATION_KEY)
    except Exception:  # the shared cache is unreachable: read the database again rather than trust what is kept
        generation = object()
    _kept.checked = now
    if _kept.merged is None or _kept.by_municipality is None or generation != _kept.generation:
        _kept.by_municipality, _kept.merged = _read()
        _kept.generation = generation
    return _kept.by_municipality, _kept.merged


def profile_terms() -> ProfileTerms:
    """The terms of every loaded profile together (empty before any profile is loaded)."""
    return _current()[1]


def terms_of(municipality: Municipality) -> ProfileTerms:
    """One municipality's own terms."""
    return _current()[0].get(municipality.pk) or ProfileTerms()


def forget() -> None:
    """Drop the kept terms here and make every other process re-read them (a profile was loaded)."""
    _kept.merged = _kept.by_municipality = None
    _kept.checked = float("-inf")
    _transaction.memo = None
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet
        cache.set(GENERATION_KEY, 1, timeout=None)
