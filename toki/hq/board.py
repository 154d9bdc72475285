"""What the live board (/hq/incidents/<id>/board/) shows, one function per part. Callers have checked that the
user may read the incident (toki.hq.selectors.get_incident_for_user). Each part is a fixed, small number of
queries (pinned in toki/hq/tests/test_board.py), so 50 staff polling every 10 s stay cheap."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from toki.alerts.models import EvacuationOrder
from toki.hq.damage_source import damage
from toki.hq.models import ChronologyEntry, DistressMessage, Incident, Instruction
from toki.hq.selectors import _with_order
from toki.shelters.models import Crowding, OpeningStatus
from toki.shelters.selectors import open_shelters_with_occupancy

# Items always shown on the board summary (人的被害 and 住家 of 第4号様式); any other item is shown once non-zero.
CORE_ITEMS = ("casualties_dead", "casualties_missing", "casualties_injured_serious", "casualties_injured_minor",
              "housing_total_collapse_buildings", "housing_half_collapse_buildings",
              "housing_partial_damage_buildings", "housing_flood_above_floor_buildings",
              "housing_flood_below_floor_buildings")
BOARD_INSTRUCTIONS = 12
BOARD_CHRONOLOGY = 15
BOARD_DISTRESS = 20
DISTRESS_WINDOW = timedelta(hours=24)
MAP_REPORTS = 500


def board_summary(incident: Incident) -> dict | None:
    """The 第4号様式 picture now: core items and every non-zero item, report count, last report time, and the
    same by district for the affected districts. None when no form definition is loaded."""
    aggregate = damage().live_aggregate(incident)
    if aggregate is None:
        return None
    rows = [row for row in aggregate.rows() if row["item"].id in CORE_ITEMS or row["total"]]
    codes = list(aggregate.district_names)
    return {"rows": rows, "district_names": [aggregate.district_names[c] for c in codes],
            "report_count": aggregate.report_count, "last_report_at": aggregate.last_report_at,
            "definition": f"{aggregate.definition_code} {aggregate.definition_version}"}


def board_instructions(incident: Incident, *, limit: int = BOARD_INSTRUCTIONS) -> dict:
    """Open instructions, those overdue or unacknowledged too long first. One query for the page, one count."""
    now = timezone.now()
    open_ = Instruction.objects.filter(incident=incident, status__in=Instruction.OPEN_STATUSES)
    items = list(_with_order(open_, now).select_related("to_org_unit", "to_user")[:limit])
    for item in items:
        item.overdue, item.unacknowledged_late = item.is_overdue(now), item.is_unacknowledged_late(now)
    return {"items": items, "open_count": open_.count(), "now": now}


def board_chronology(incident: Incident, *, limit: int = BOARD_CHRONOLOGY) -> list[ChronologyEntry]:
    """The newest entries. One query."""
    return list(ChronologyEntry.objects.filter(incident=incident).select_related("district")
                .defer("district__boundary").order_by("-at", "-pk")[:limit])


def board_distress(incident: Incident, *, limit: int = BOARD_DISTRESS) -> list[DistressMessage]:
    """Possible calls for help (救助要請の可能性) of the last 24 hours in the incident's municipality, newest first,
    those not yet handled first. They are real messages: shown on every board of the municipality, drill or not.
    One query."""
    since = timezone.now() - DISTRESS_WINDOW
    return list(DistressMessage.objects.filter(municipality=incident.municipality_id, received_at__gte=since)
                .order_by(F("handled_at").asc(nulls_first=True), "-received_at", "-pk")[:limit])


def board_orders(incident: Incident) -> list[EvacuationOrder]:
    """Evacuation orders in force, by district (drill orders only on a drill incident's board), with the district
    boundary for the map. One query."""
    return list(EvacuationOrder.objects.filter(municipality=incident.municipality_id, lifted_at__isnull=True,
                                               is_drill=incident.is_drill)
                .select_related("district").order_by("district__sort_order", "-level"))


def board_shelters(incident: Incident) -> list[dict]:
    """The shelters layer of the board: the incident's shelters open now (開設 / 満員) with their occupancy,
    capacity and crowding (空き / 混雑 / 満員), from the shelters app. One query."""
    return [{"id": s.shelter_id, "name": s.name, "lat": s.lat, "lon": s.lon, "capacity": s.capacity, "open": True,
             "status": s.status, "crowding": s.crowding, "occupancy": s.people_in, "households": s.households_in}
            for s in open_shelters_with_occupancy(incident.municipality, incident)]


def board_shelter_table(incident: Incident) -> dict:
    """The open-shelter table of the board: each shelter open now with its status, crowding, people and households
    checked in and capacity (those 満員 or crowded first, then by name), and the totals. One query."""
    rows = [{**s, "status_label": OpeningStatus(s["status"]).label, "crowding_label": Crowding(s["crowding"]).label}
            for s in board_shelters(incident)]
    urgency = {Crowding.FULL: 0, Crowding.CROWDED: 1}
    rows.sort(key=lambda r: (r["status"] != OpeningStatus.FULL, urgency.get(r["crowding"], 2), r["name"]))
    return {"rows": rows, "people": sum(r["occupancy"] for r in rows),
            "households": sum(r["households"] for r in rows)}


def board_reports(incident: Incident) -> list[dict]:
    """Damage reports with a position, for the map markers (their current version's point). One query."""
    return damage().located_reports(incident, MAP_REPORTS)


def board_map(incident: Incident) -> dict:
    """Everything the map shows, as JSON-ready data: reports, orders by district, shelters."""
    return {
        "reports": board_reports(incident),
        "orders": [{"district": o.district.code, "district_name": o.district.name, "level": o.level,
                    "hazard": o.get_hazard_display(), "lat": o.district.centre_lat, "lon": o.district.centre_lon,
                    "boundary": o.district.boundary}
                   for o in board_orders(incident)],
        "shelters": board_shelters(incident),
    }
