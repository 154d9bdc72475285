"""The service days a process has seen, kept warm between bookings (docs/rides.md, "Keeping the day warm").

Building a day's darp instance from nothing meant reading every booking on the day's plans and asking the travel
source for the whole matrix, per booking: most of a booking's time (profile in docs/benchmarks.md). A process now
keeps, per area and day, what cannot change once committed: each booking's trip, windows and promise (written in
the transaction that accepted it and never changed afterwards), its darp request, and the distinct places with the
travel matrix over them. A booking then reads only the rows it has not seen: those other processes committed
since (the locked plans name them).

Nothing here decides a booking. The plans are always the rows locked by the booking (`VehicleDay.stops` read under
SELECT … FOR UPDATE, their `version` the etag), and darp's exact 8-step check runs against them every time: a
re-optimiser write or another process's booking is seen because it is on the locked plans. What a model read is
remembered only once its transaction has committed (`transaction.on_commit`), so a rolled-back transaction teaches
the cache nothing; an entry is keyed by everything its requests and matrix depend on (the area's limits and travel
parameters, the travel source), so a change to any of them starts a new entry."""

import threading
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction

MAX_DAYS = 64  # entries kept per process (an area's bookable days, a few areas); the oldest goes first
_lock = threading.Lock()
_days: dict[tuple, "WarmDay"] = {}


@dataclass(frozen=True)
class WarmDay:
    """What a day model was built from. Never changed once stored: a model copies what it extends."""

    bookings: dict = field(default_factory=dict)  # booking id → Booking (the solver's fields only)
    requests: dict = field(default_factory=dict)  # booking id → darp.Request (node indices of `nodes`)
    nodes: dict = field(default_factory=dict)  # (lat, lon) rounded → node index
    travel: tuple = ()  # minutes between the nodes, row = from
    instance: object = None  # the last darp Instance over `travel`: its derived matrices are reused


def key(area, day: date) -> tuple:
    return (area.pk, day, settings.TOKI_RIDES_TRAVEL, area.speed_kmh, area.detour_factor, area.stop_minutes,
            area.max_wait_minutes, area.max_ride_alpha, area.max_ride_beta_minutes)


def recall(area, day: date) -> WarmDay:
    with _lock:
        return _days.get(key(area, day)) or WarmDay()


def remember_when_committed(area, day: date, warm: WarmDay) -> None:
    """Keep `warm` for the next booking of this day, once the current transaction (if any) has committed."""
    entry_key = key(area, day)

    def store():
        with _lock:
            _days.pop(entry_key, None)
            _days[entry_key] = warm
            while len(_days) > MAX_DAYS:
                _days.pop(next(iter(_days)))

    transaction.on_commit(store)


def forget_all() -> None:
    """Drop every entry (tests that compare a cold and a warm process)."""
    with _lock:
        _days.clear()
