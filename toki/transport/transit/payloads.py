"""The vehicle tablet's position report, checked field by field (pure; the view answers 400 with the message).

    {"lat": 38.03, "lon": 138.24, "measured_at": "2026-12-06T09:00:00+09:00", "bearing": 90, "speed": 8.3,
     "trip_id": "honsen_out_01", "route_id": "honsen", "delay": 120, "stop_sequence": 2,
     "boardings": [{"key": "tablet-7-0001", "route_id": "honsen", "stop_id": "kanai", "count": 3}]}
"""

from datetime import datetime, timedelta

MAX_BOARDINGS = 50
FUTURE = timedelta(minutes=5)
PAST = timedelta(days=1)


class ReportInvalid(ValueError):
    pass


def _number(report: dict, name: str, low: float, high: float, *, required=False, whole=False):
    value = report.get(name)
    if value is None:
        if required:
            raise ReportInvalid(f"{name}: required")
        return None
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        raise ReportInvalid(f"{name}: {'a whole number' if whole else 'a number'} is needed")
    if not low <= value <= high:
        raise ReportInvalid(f"{name}: must be between {low} and {high}")
    return value


def _text(data: dict, name: str, limit: int, *, required=False, where="") -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise ReportInvalid(f"{where}{name}: required")
        return ""
    if not isinstance(value, str) or len(value) > limit or not value.isprintable():
        raise ReportInvalid(f"{where}{name}: text of at most {limit} characters")
    return value


def _moment(value, name: str, now: datetime) -> datetime:
    if not isinstance(value, str):
        raise ReportInvalid(f"{name}: an ISO 8601 time with its offset is needed")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ReportInvalid(f"{name}: not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ReportInvalid(f"{name}: the time needs its UTC offset")
    if moment > now + FUTURE or moment < now - PAST:
        raise ReportInvalid(f"{name}: more than 5 minutes ahead or a day behind the server's clock")
    return moment


def read_report(report, now: datetime) -> dict:
    if not isinstance(report, dict):
        raise ReportInvalid("the body must be a JSON object")
    unknown = set(report) - {"lat", "lon", "measured_at", "bearing", "speed", "trip_id", "route_id", "delay",
                             "stop_sequence", "boardings"}
    if unknown:
        raise ReportInvalid(f"{sorted(unknown)[0]}: unknown field")
    checked = {
        "lat": _number(report, "lat", -90, 90, required=True), "lon": _number(report, "lon", -180, 180, required=True),
        "measured_at": _moment(report.get("measured_at"), "measured_at", now),
        "bearing": _number(report, "bearing", 0, 360), "speed": _number(report, "speed", 0, 100),
        "delay": _number(report, "delay", -3600, 86400, whole=True),
        "stop_sequence": _number(report, "stop_sequence", 0, 1_000_000, whole=True),
        "trip_id": _text(report, "trip_id", 100), "route_id": _text(report, "route_id", 100),
    }
    boardings = report.get("boardings", [])
    if not isinstance(boardings, list) or len(boardings) > MAX_BOARDINGS:
        raise ReportInvalid(f"boardings: a list of at most {MAX_BOARDINGS}")
    checked["boardings"] = []
    for number, boarding in enumerate(boardings, start=1):
        where = f"boardings[{number}]."
        if not isinstance(boarding, dict):
            raise ReportInvalid(f"boardings[{number}]: an object is needed")
        count = boarding.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 200:
            raise ReportInvalid(f"{where}count: a whole number from 1 to 200")
        checked["boardings"].append({
            "key": _text(boarding, "key", 64, required=True, where=where),
            "route_id": _text(boarding, "route_id", 100, required=True, where=where),
            "trip_id": _text(boarding, "trip_id", 100, where=where),
            "stop_id": _text(boarding, "stop_id", 100, where=where), "count": count,
            "at": _moment(boarding["at"], f"{where}at", now) if boarding.get("at") is not None else None})
    return checked
