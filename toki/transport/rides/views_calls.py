"""The phone desk's evening list (docs/rides.md, "Reminders"): tomorrow's riders whom LINE cannot reach — no LINE
link, or they blocked the account — to call with the reminder, each marked once called; on a day whose service was
suspended (運休), the riders of its cancelled rides first, to tell. Operators of the area."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality
from toki.transport.rides import actions_line, selectors, selectors_line
from toki.transport.rides.models import Booking, ServiceArea


def _area(request, code: str) -> ServiceArea:
    try:
        return selectors.get_area_for_user(request.user, default_municipality(), code)
    except ServiceArea.DoesNotExist:
        raise Http404 from None


def _day(request) -> date:
    """?day=YYYY-MM-DD, tomorrow when absent; a malformed day is a 404 (nothing to show for it)."""
    value = request.GET.get("day", "")
    if not value:
        return timezone.localdate() + timedelta(days=1)
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise Http404 from None


@login_required
def calls(request, area_code: str):
    area = _area(request, area_code)
    day = _day(request)
    bookings = list(selectors_line.riders_to_call(request.user, area, day))
    return render(request, "rides/calls.html", {
        "area": area, "day": day, "bookings": bookings,
        "suspended": sum(1 for b in bookings if b.cancelled_by_service and not b.reminded_evening),
        "left": sum(1 for booking in bookings if not booking.reminded_evening)})


@login_required
@require_POST
def called(request, area_code: str, pk: int):
    area = _area(request, area_code)
    try:
        booking = selectors.get_booking_for_user(request.user, area, pk)
    except Booking.DoesNotExist:
        raise Http404 from None
    actions_line.mark_called(acting_user=request.user, booking=booking)
    return redirect(f"{request.path.rsplit('/', 2)[0]}/?day={booking.service_date.isoformat()}")
