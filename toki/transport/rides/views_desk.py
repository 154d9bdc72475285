"""The phone desk (the main booking channel today): find or add a rider, book from the rider's usual trips or a
new one, answer on the phone with the promise at once; cancel and mark no-shows. Operators of the area only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality
from toki.transport.rides import actions, permissions, selectors
from toki.transport.rides.forms import RideRequestForm, RiderForm, UsualTripForm
from toki.transport.rides.models import Booking, Rider, SelfBookingSuspension, ServiceArea


def _area(request, code: str) -> ServiceArea:
    municipality = default_municipality()
    try:
        return selectors.get_area_for_user(request.user, municipality, code)
    except ServiceArea.DoesNotExist:
        raise Http404 from None


def _rider(request, area, pk: int) -> Rider:
    try:
        return selectors.get_rider_for_user(request.user, area, pk)
    except Rider.DoesNotExist:
        raise Http404 from None


@login_required
def index(request):
    if not permissions.may_operate_any(request.user):
        raise Http404
    areas = selectors.areas_for(request.user, default_municipality())
    if len(areas) == 1:
        return redirect("rides:desk", area_code=areas[0].code)
    return render(request, "rides/desk_index.html", {"areas": areas})


@login_required
def desk(request, area_code: str):
    area = _area(request, area_code)
    query = request.GET.get("q", "").strip()[:40]
    day = timezone.localdate()
    return render(request, "rides/desk.html", {
        "area": area, "query": query, "riders": list(selectors.riders_for(request.user, area, query)[:30]),
        "bookings": list(selectors.bookings_for(request.user, area, day).exclude(status=Booking.Status.REJECTED)),
        "day": day, "rider_form": RiderForm(area=area)})


@login_required
def rider_new(request, area_code: str):
    area = _area(request, area_code)
    form = RiderForm(request.POST or None, area=area)
    if request.method == "POST" and form.is_valid():
        try:
            rider = actions.save_rider(acting_user=request.user, area=area, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("rides:rider", area_code=area.code, pk=rider.pk)
    return render(request, "rides/rider_new.html", {"area": area, "form": form})


@login_required
def rider(request, area_code: str, pk: int):
    """The rider's card: their usual trips (one click fills the booking form) and a booking form."""
    area = _area(request, area_code)
    found = _rider(request, area, pk)
    initial = {"date": timezone.localdate(), "mode": "pickup", "passengers": 1, "wheelchair": found.wheelchair}
    trip_id = request.GET.get("trip", "")
    trip = next((t for t in found.usual_trips.all() if str(t.pk) == trip_id), None)
    if trip is not None:
        initial.update(origin=trip.origin_id, destination=trip.destination_id, time=trip.usual_time,
                       mode="arrival" if trip.by_arrival else "pickup", passengers=trip.passengers)
        for which in ("origin", "destination"):  # a trip from or to home: the map picker set on the saved home
            if getattr(trip, f"{which}_home"):
                initial.update({f"{which}_lat": found.home_lat, f"{which}_lon": found.home_lon})
    form = RideRequestForm(request.POST or None, area=area, initial=initial)
    answer = None
    if request.method == "POST" and form.is_valid():
        evacuation = bool(request.POST.get("evacuation"))
        answer = actions.book_ride(acting_user=request.user, request=form.ride_request(evacuation=evacuation),
                                   channel=Booking.Channel.PHONE, rider=found)
    bookings = list(found.bookings.filter(service_date__gte=timezone.localdate()).select_related(
        "origin", "destination", "vehicle")[:20])
    return render(request, "rides/rider.html", {
        "area": area, "rider": found, "form": form, "answer": answer, "bookings": bookings,
        "trip_form": UsualTripForm(area=area), "suspension": selectors.open_suspension(found),
        "suspensions": selectors.suspensions_for(request.user, found)})


@login_required
@require_POST
def usual_trip_new(request, area_code: str, pk: int):
    area = _area(request, area_code)
    found = _rider(request, area, pk)
    form = UsualTripForm(request.POST, area=area)
    if form.is_valid():
        try:
            actions.add_usual_trip(acting_user=request.user, rider=found, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("The usual trip was not saved: check the fields."))
    return redirect("rides:rider", area_code=area.code, pk=found.pk)


@login_required
@require_POST
def usual_trip_remove(request, area_code: str, pk: int, trip_pk: int):
    """A usual trip the rider no longer makes (or one saved by mistake in LINE) removed."""
    area = _area(request, area_code)
    found = _rider(request, area, pk)
    trip = get_object_or_404(found.usual_trips, pk=trip_pk)
    actions.remove_usual_trip(acting_user=request.user, trip=trip)
    messages.success(request, _("The usual trip %(label)s was removed.") % {"label": trip.label})
    return redirect("rides:rider", area_code=area.code, pk=found.pk)


def _booking(request, area, pk: int) -> Booking:
    try:
        return selectors.get_booking_for_user(request.user, area, pk)
    except Booking.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def booking_cancel(request, area_code: str, pk: int):
    area = _area(request, area_code)
    try:
        actions.cancel_booking(acting_user=request.user, booking=_booking(request, area, pk))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("rides:desk", area_code=area.code)


@login_required
@require_POST
def booking_no_show(request, area_code: str, pk: int):
    area = _area(request, area_code)
    try:
        actions.mark_no_show(acting_user=request.user, booking=_booking(request, area, pk))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("rides:desk", area_code=area.code)


@login_required
@require_POST
def suspension_lift(request, area_code: str, pk: int, suspension_pk: int):
    """Let the rider book on the web and LINE again (the desk talked with them); the note says why."""
    area = _area(request, area_code)
    found = _rider(request, area, pk)
    try:
        suspension = selectors.get_suspension_for_user(request.user, found, suspension_pk)
    except SelfBookingSuspension.DoesNotExist:
        raise Http404 from None
    try:
        actions.lift_suspension(acting_user=request.user, suspension=suspension,
                                note=request.POST.get("note", "")[:200])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Web and LINE booking is open to the rider again."))
    return redirect("rides:rider", area_code=area.code, pk=found.pk)
