"""Operations: the live map of vehicles and bookings, each vehicle's plan for a day, the KPIs per day and month,
and their CSV export. Operators of the area only."""

import csv
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.transport.rides import kpis, permissions, selectors
from toki.transport.rides.models import Booking
from toki.transport.rides.views_desk import _area


def _day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else timezone.localdate()
    except ValueError:
        raise Http404 from None


def _map_data(area, day_plans, bookings) -> dict:
    """What the map draws (no personal data: booking numbers, not names)."""
    return {
        "geometry": area.geometry,
        "vehicles": [{"name": vd.vehicle.name, "lat": vd.last_lat or vd.vehicle.depot_lat,
                      "lon": vd.last_lon or vd.vehicle.depot_lon,
                      "route": [[s["lat"], s["lon"]] for s in vd.stops]} for vd in day_plans],
        "bookings": [{"id": b.pk, "from": [b.origin_lat, b.origin_lon], "to": [b.destination_lat, b.destination_lon],
                      "status": b.status} for b in bookings],
    }


@login_required
def board(request, area_code: str):
    area = _area(request, area_code)
    day = _day(request)
    day_plans = list(selectors.plans_for(request.user, area, day))
    bookings = list(selectors.bookings_for(request.user, area, day))
    by_id = {b.pk: b for b in bookings}
    rows = []
    for vehicle_day in day_plans:
        stops = [{**s, "at": datetime.fromisoformat(s["at"]), "booking_row": by_id.get(s["booking"])}
                 for s in vehicle_day.stops]
        rows.append({"plan": vehicle_day, "stops": stops})
    month_start, month_end = kpis.month_bounds(day)
    out = selectors.vehicles_out_on(request.user, area, day)
    return render(request, "rides/board.html", {
        # Out of service (retired until brought back, or in a span covering the day): listed with the way back.
        "out": out, "in_span": {row.vehicle.pk for row in out if row.span is not None}, "today": timezone.localdate(),
        "may_bring_back": permissions.may_configure(request.user, area),
        "area": area, "day": day, "plans": rows, "map_data": _map_data(area, day_plans, bookings),
        "kpi_sets": [(_("This day"), kpis.measure([area], day, day)),
                     (_("This month"), kpis.measure([area], month_start, month_end))],
        "tile_url": settings.TOKI_TILE_URL,
        # Taking a vehicle out of service moves today's rides: offered on today's board to the area's operators.
        "may_withdraw": day == timezone.localdate() and permissions.may_configure(request.user, area),
        "rejected": [b for b in bookings if b.status == Booking.Status.REJECTED]})


@login_required
def kpi_csv(request, area_code: str):
    """One row per day of the month asked for (?month=YYYY-MM), then the month's total row."""
    area = _area(request, area_code)
    try:
        month = date.fromisoformat(request.GET.get("month", timezone.localdate().strftime("%Y-%m")) + "-01")
    except ValueError:
        raise Http404 from None
    start, end = kpis.month_bounds(month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rides-{area.code}-{start:%Y-%m}.csv"'
    rows = [kpis.measure([area], date.fromordinal(d), date.fromordinal(d)).as_row()
            for d in range(start.toordinal(), end.toordinal() + 1)]
    rows.append(kpis.measure([area], start, end).as_row())
    writer = csv.DictWriter(response, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return response
