"""What each app announces and who listens: filled at start-up from `<app>/events.py` and `<app>/subscribers.py`.

An event carries the municipality's id and object ids only, never personal data and never text: its declared
keys end in `_id` (an int) or `_ids` (a list of ints), and `publish` refuses anything else. A subscriber is a
function of the stored `Event`; it must be idempotent (it may run again after a crash) and it runs in a task, so
it may be slow, but it never runs before the producer's transaction has committed.

This module imports nothing of Django's models, so `events.py` modules can import it at any time.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class EventType:
    name: str  # "<app label>.<what happened>", e.g. "alerts.alert_published"
    ids: tuple[str, ...]  # the keys every event of this type carries besides the municipality's id
    doc: str = ""

    def check(self, ids: dict) -> None:
        """Raise ValueError unless `ids` has exactly the declared keys, each an id or a list of ids."""
        if set(ids) != set(self.ids):
            raise ValueError(f"{self.name}: ids must be {sorted(self.ids)}, got {sorted(ids)}")
        for key, value in ids.items():
            if key.endswith("_ids"):
                ok = isinstance(value, list | tuple) and all(_is_id(v) for v in value)
            else:
                ok = _is_id(value)
            if not ok:
                raise ValueError(f"{self.name}: {key} must be {'a list of ids' if key.endswith('_ids') else 'an id'}")


@dataclass(frozen=True)
class Subscriber:
    key: str  # "<app label>.<function name>": the name its delivery records carry
    event: str
    handler: Callable


_TYPES: dict[str, EventType] = {}
_SUBSCRIBERS: dict[tuple[str, str], Subscriber] = {}  # (event name, subscriber key)


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def declare(name: str, *, ids: tuple[str, ...] = (), doc: str = "") -> str:
    """Declare an event type (in the producing app's events.py); returns its name, the constant producers use."""
    app, _, what = name.partition(".")
    if not app or not what:
        raise ImproperlyConfigured(f"event {name!r}: name it '<app>.<what happened>'")
    bad = [key for key in ids if not (key.endswith("_id") or key.endswith("_ids")) or key == "municipality_id"]
    if bad:
        raise ImproperlyConfigured(f"event {name!r}: only ids may be carried, not {bad}")
    declared = EventType(name=name, ids=tuple(ids), doc=doc)
    if _TYPES.get(name, declared) != declared:
        raise ImproperlyConfigured(f"event {name!r} declared twice")
    _TYPES[name] = declared
    return name


def subscriber(*events: str, app: str):
    """Decorator for `<app>/subscribers.py`: run the function with each committed event of the given types. Its
    key, `<app>.<function name>`, names its delivery records (one per event)."""

    def register(handler: Callable) -> Callable:
        key = f"{app}.{handler.__name__}"
        for event in events:
            existing = _SUBSCRIBERS.get((event, key))
            if existing is not None and existing.handler.__qualname__ != handler.__qualname__:
                raise ImproperlyConfigured(f"subscriber {key!r} of {event!r} registered twice")
            _SUBSCRIBERS[event, key] = Subscriber(key=key, event=event, handler=handler)
        return handler

    return register


def event_type(name: str) -> EventType:
    try:
        return _TYPES[name]
    except KeyError:
        raise ValueError(f"undeclared event {name!r} (declare it in its app's events.py)") from None


def event_types() -> list[EventType]:
    return sorted(_TYPES.values(), key=lambda t: t.name)


def subscribers_of(name: str) -> list[Subscriber]:
    return [s for s in _SUBSCRIBERS.values() if s.event == name]


def subscriber_named(event: str, key: str) -> Subscriber | None:
    return _SUBSCRIBERS.get((event, key))


def check() -> None:
    """Every subscription names a declared event (a typo would silently never run)."""
    unknown = sorted(f"{s.key} → {s.event}" for s in _SUBSCRIBERS.values() if s.event not in _TYPES)
    if unknown:
        raise ImproperlyConfigured(f"subscribers of undeclared events: {unknown}")
