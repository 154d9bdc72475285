"""The riders' pages: the large-type booking page (also the LINE menu's link), the answer and cancel page behind
the booking's secret link, and the GTFS-Flex feed. No JavaScript needed."""

import math
from datetime import datetime
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality
from toki.lib.client_address import client_address
from toki.transport.rides import actions, selectors
from toki.transport.rides.forms import ContactForm, RideRequestForm
from toki.transport.rides.gtfs_flex import feed_zip
from toki.transport.rides.models import Booking, ServiceArea


def _municipality():
    municipality = default_municipality()
    if municipality is None:
        raise Http404
    return municipality


def _initial(request) -> dict:
    """A prefilled form from the query (an alternative time offered, or a usual trip)."""
    initial = {"date": timezone.localdate(), "mode": "pickup", "passengers": 1}
    for name in ("origin", "destination", "date", "time", "mode", "passengers"):
        if request.GET.get(name):
            initial[name] = request.GET[name][:20]
    return initial


def book(request, area_code: str | None = None):
    municipality = _municipality()
    areas = list(selectors.public_areas(municipality))
    area = next((a for a in areas if a.code == (area_code or request.GET.get("area"))), None)
    if area is None:
        if len(areas) == 1:
            area = areas[0]
        else:
            return render(request, "rides/choose_area.html", {"areas": areas})
    form = RideRequestForm(request.POST or None, area=area, initial=_initial(request))
    contact = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and contact.is_valid():
        # The client is the reader behind nginx, not nginx itself (toki.lib.client_address).
        retry_at = actions.take_web_booking_slot(client_address(request))
        if retry_at is not None:
            return _limited(request, area, retry_at)
        rider = actions.rider_for_web(area=area, **contact.cleaned_data)
        answer = actions.book_ride(acting_user=None, request=form.ride_request(), channel=Booking.Channel.WEB,
                                   rider=rider)
        request.session["rides_alternatives"] = [t.isoformat() for t in answer.alternatives]
        return redirect("rides:booking", reference=answer.booking.reference)
    return render(request, "rides/book.html", {"area": area, "areas": areas, "form": form, "contact": contact})


def _limited(request, area, retry_at: datetime):
    """429: too many booking requests from this client (or everyone together); says when to try again, and the
    phone desk's number."""
    wait = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    response = render(request, "rides/book_limited.html", {"area": area, "retry_at": retry_at,
                                                           "minutes": math.ceil(wait / 60)}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _booking(reference: str) -> Booking:
    try:
        return selectors.booking_by_reference(reference)
    except Booking.DoesNotExist:
        raise Http404 from None


def booking(request, reference: str):
    """The answer: the promise (pickup window, predicted arrival), or the reason and other times to try."""
    found = _booking(reference)
    alternatives = [datetime.fromisoformat(t) for t in request.session.get("rides_alternatives", [])] \
        if found.status == Booking.Status.REJECTED else []
    return render(request, "rides/booking.html", {"booking": found, "alternatives": alternatives,
                                                  "area": found.area, "alt_url": alternative_url(found)})


def alternative_url(booking: Booking) -> str:
    """The booking form filled with the same trip; the template adds the alternative's date and time."""
    query = urlencode({"mode": "pickup" if booking.earliest_pickup else "arrival", "origin": booking.origin_id or "",
                       "destination": booking.destination_id or "", "passengers": booking.passengers})
    return f"{reverse('rides:book_area', args=[booking.area.code])}?{query}"


@require_POST
def cancel(request, reference: str):
    found = _booking(reference)
    try:
        actions.cancel_booking(acting_user=None, booking=found, by_rider=True)
    except ValidationError as exc:
        return render(request, "rides/booking.html", {"booking": found, "area": found.area,
                                                      "error": " ".join(exc.messages)}, status=409)
    return redirect("rides:booking", reference=reference)


def gtfs_flex(request):
    """The service as a GTFS-Flex feed (docs/rides.md): zones, meeting points, booking rules, pickup windows."""
    municipality = _municipality()
    areas = list(ServiceArea.objects.filter(municipality=municipality).prefetch_related(
        "points", "vehicles__shifts", "exceptions").select_related("booking_rule"))
    response = HttpResponse(feed_zip(municipality, areas), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="rides-gtfs-flex.zip"'
    return response
