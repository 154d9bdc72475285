"""The vehicle tablet's position report, checked field by field (pure; the view answers 400 with the message).

    {"lat": 38.03, "lon": 138.24, "measured_at": "2026-12-06T09:00:00+09:00", "bearing": 90, "speed": 8.3,
     "trip_id": "honsen_out_01", "route_id": "honsen", "delay": 120, "stop_sequence": 2,
     "boardings": [{"key": "tablet-7-0001", "route_id": "honsen", "stop_id": "kanai", "count": 3}]}
"""

from datetime import datetime, timedelta

from toki.lib.report_fields import ReportInvalid, moment, number

__all__ = ["ReportInvalid", "read_report"]

MAX_BOARDINGS = 50
FUTURE = timedelta(minutes=5)
PAST = timedelta(days=1)


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
    return moment(value, name, now, ahead=FUTURE, behind=PAST)


def read_report(report, now: datetime) -> dict:
    if not isinstance(report, dict):
        raise ReportInvalid("the body must be a JSON object")
    unknown = set(report) - {"lat", "lon", "measured_at", "bearing", "speed", "trip_id", "route_id", "delay",
                             "stop_sequence", "boardings"}
    if unknown:
        raise ReportInvalid(f"{sorted(unknown)[0]}: unknown field")
    checked = {
        "lat": number(report, "lat", -90, 90, required=True), "lon": number(report, "lon", -180, 180, required=True),
        "measured_at": _moment(report.get("measured_at"), "measured_at", now),
        "bearing": number(report, "bearing", 0, 360), "speed": number(report, "speed", 0, 100),
        "delay": number(report, "delay", -3600, 86400, whole=True),
        "stop_sequence": number(report, "stop_sequence", 0, 1_000_000, whole=True),
        "trip_id": _text(report, "trip_id", 100), "route_id": _text(report, "route_id", 100),
    }
    boardings = report.get("boardings", [])
    if not isinstance(boardings, list) or len(boardings) > MAX_BOARDINGS:
        raise ReportInvalid(f"boardings: a list of at most {MAX_BOARDINGS}")
    checked["boardings"] = []
    for index, boarding in enumerate(boardings, start=1):
        where = f"boardings[{index}]."
        if not isinstance(boarding, dict):
            raise ReportInvalid(f"boardings[{index}]: an object is needed")
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
