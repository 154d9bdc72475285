"""Validating what Toki publishes.

- The static feed: `gtfs-validator` (PyPI, pinned), a pure-Python reimplementation of MobilityData's canonical
  GTFS Schedule validator (the same 173 notice codes and report.json; its authors run it against the Java jar
  in their CI). The Java jar itself is not in PyPI, npm or Debian, so it cannot be installed here. It knows
  GTFS, not the GTFS-JP extensions: agency_jp.txt / office_jp.txt are reported as `unknown_file` and
  `jp_office_id` as `unknown_column` (INFO); Toki's own import checks (reading.py) cover those.
- The realtime feeds: no maintained GTFS-RT validator installs here (MobilityData's is a Java web app), so
  `check_realtime` parses the message with the official bindings and applies the spec's rules listed in its
  docstring, against the static feed.
"""

import json
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

from google.protobuf.message import DecodeError
from google.transit import gtfs_realtime_pb2 as rt

VALIDATOR = [sys.executable, "-m", "gtfs_validator.cli"]  # its console script, run with this interpreter


def validate_static(zip_bytes: bytes, *, on: date, country: str = "JP") -> list[dict]:
    """The validator's notices for a GTFS zip: [{"severity", "code", "count", "sample"}]. RuntimeError when it
    could not run (its system errors)."""
    with tempfile.TemporaryDirectory(prefix="toki-gtfs-") as folder:
        feed, out = Path(folder) / "feed.zip", Path(folder) / "out"
        feed.write_bytes(zip_bytes)
        completed = subprocess.run(  # noqa: S603 - our own pinned tool, arguments we build
            [*VALIDATOR, "-i", str(feed), "-o", str(out), "-c", country, "-d", on.isoformat()],
            capture_output=True, text=True, timeout=300, check=False)
        report = out / "report.json"
        if completed.returncode != 0 or not report.exists():
            raise RuntimeError(f"gtfs-validator failed ({completed.returncode}): {completed.stderr[-500:]}")
        system = json.loads((out / "system_errors.json").read_text()).get("notices", [])
        if system:
            raise RuntimeError(f"gtfs-validator system errors: {[n['code'] for n in system]}")
        return [{"severity": n["severity"], "code": n["code"], "count": n["totalNotices"],
                 "sample": n.get("sampleNotices", [])[:3]} for n in json.loads(report.read_text())["notices"]]


def errors_of(notices: list[dict]) -> list[dict]:
    return [n for n in notices if n["severity"] == "ERROR"]


def check_realtime(body: bytes, *, kind: str, trip_ids: set[str], route_ids: set[str], now: datetime) -> list[str]:
    """Problems of a GTFS-RT message (empty: none). Checked: it parses as a FeedMessage; the header has
    gtfs_realtime_version 2.0, FULL_DATASET and a timestamp not in the future nor older than 10 minutes; entity ids
    are present and unique; every entity carries the one kind of the feed; vehicle positions have latitude and
    longitude in range, a bearing 0–360, a speed ≥ 0, a timestamp not after the header's; trip and route ids
    exist in the static feed; trip updates have a trip and at least one stop time update unless the trip is
    CANCELED; alerts name at least one informed entity, have header text, an active period whose start ≤ end, and
    a cause and effect."""
    message = rt.FeedMessage()
    try:
        message.ParseFromString(body)
    except DecodeError as error:
        return [f"not a FeedMessage: {error}"]
    problems = []
    header = message.header
    if header.gtfs_realtime_version != "2.0":
        problems.append(f"header: gtfs_realtime_version {header.gtfs_realtime_version!r}, expected 2.0")
    if header.incrementality != rt.FeedHeader.FULL_DATASET:
        problems.append("header: incrementality is not FULL_DATASET")
    stamp = header.timestamp
    if not stamp or stamp > now.timestamp() + 60 or stamp < now.timestamp() - 600:
        problems.append(f"header: timestamp {stamp} is missing, in the future or stale")
    seen = set()
    field = {"vehicle-positions": "vehicle", "trip-updates": "trip_update", "service-alerts": "alert"}[kind]
    for entity in message.entity:
        where = f"entity {entity.id!r}"
        if not entity.id or entity.id in seen:
            problems.append(f"{where}: id missing or not unique")
        seen.add(entity.id)
        present = [name for name in ("vehicle", "trip_update", "alert") if entity.HasField(name)]
        if present != [field]:
            problems.append(f"{where}: carries {present}, expected only {field}")
            continue
        problems += [f"{where}: {p}" for p in _entity_problems(entity, field, trip_ids, route_ids, stamp)]
    return problems


def _trip_problems(trip, trip_ids, route_ids) -> list[str]:
    problems = []
    if trip.trip_id and trip.trip_id not in trip_ids:
        problems.append(f"trip_id {trip.trip_id!r} is not in the static feed")
    if trip.route_id and trip.route_id not in route_ids:
        problems.append(f"route_id {trip.route_id!r} is not in the static feed")
    return problems


def _entity_problems(entity, field, trip_ids, route_ids, stamp) -> list[str]:
    if field == "vehicle":
        vehicle = entity.vehicle
        problems = _trip_problems(vehicle.trip, trip_ids, route_ids)
        position = vehicle.position
        if not vehicle.HasField("position") or not -90 <= position.latitude <= 90 \
                or not -180 <= position.longitude <= 180 or (position.latitude == 0 and position.longitude == 0):
            problems.append("position missing or out of range")
        if position.HasField("bearing") and not 0 <= position.bearing <= 360:
            problems.append("bearing outside 0–360")
        if position.HasField("speed") and position.speed < 0:
            problems.append("negative speed")
        if vehicle.timestamp > stamp:
            problems.append("vehicle timestamp after the header's")
        return problems
    if field == "trip_update":
        update = entity.trip_update
        problems = _trip_problems(update.trip, trip_ids, route_ids)
        if not update.trip.trip_id:
            problems.append("trip_update without a trip_id")
        if not update.stop_time_update and update.trip.schedule_relationship != rt.TripDescriptor.CANCELED:
            problems.append("trip_update without a stop_time_update (and not CANCELED)")
        return problems
    alert = entity.alert
    problems = []
    if not alert.informed_entity:
        problems.append("alert without an informed_entity")
    for informed in alert.informed_entity:
        if informed.route_id and informed.route_id not in route_ids:
            problems.append(f"informed route_id {informed.route_id!r} is not in the static feed")
    if not alert.header_text.translation or not all(t.text for t in alert.header_text.translation):
        problems.append("alert without header text")
    for period in alert.active_period:
        if period.end and period.end < period.start:
            problems.append("active_period ends before it starts")
    if not alert.HasField("cause") or not alert.HasField("effect"):
        problems.append("alert without cause or effect")
    return problems
