"""Fields of a JSON report sent by a device (a vehicle's position, a tablet's event), checked one by one: each
problem is a `ReportInvalid` whose message names the field ("lat: must be between -90 and 90"), so the caller can
answer 400 with it, or reject one event of a batch with it. Pure (no Django)."""

from datetime import datetime, timedelta


class ReportInvalid(ValueError):
    pass


def number(data: dict, name: str, low: float, high: float, *, required=False, whole=False, where=""):
    """data[name] as a number within [low, high] (None when absent and not required)."""
    value = data.get(name)
    if value is None:
        if required:
            raise ReportInvalid(f"{where}{name}: required")
        return None
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        raise ReportInvalid(f"{where}{name}: {'a whole number' if whole else 'a number'} is needed")
    if not low <= value <= high:
        raise ReportInvalid(f"{where}{name}: must be between {low} and {high}")
    return value


def moment(value, name: str, now: datetime, *, ahead: timedelta, behind: timedelta) -> datetime:
    """An ISO 8601 time with its UTC offset, not more than `ahead` after nor `behind` before `now`."""
    if not isinstance(value, str) or len(value) > 40:
        raise ReportInvalid(f"{name}: an ISO 8601 time with its offset is needed")
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise ReportInvalid(f"{name}: not an ISO 8601 time") from None
    if found.tzinfo is None:
        raise ReportInvalid(f"{name}: the time needs its UTC offset")
    if found > now + ahead or found < now - behind:
        raise ReportInvalid(f"{name}: more than {_span(ahead)} ahead of or {_span(behind)} behind the server's clock")
    return found


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{minutes} minutes"
