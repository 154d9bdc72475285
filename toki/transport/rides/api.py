"""The shared rides' JSON API, mounted at /api/v1/rides: the areas and meeting points (public), and booking for the
phone desk and other booking front ends (session auth + CSRF header, operators of the area). A request is answered
at once: accepted with the promised pickup window and the predicted arrival, or refused with the reason and the
other times that have room."""

from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from toki.areas.selectors import default_municipality
from toki.lib.bounded import Id
from toki.transport.rides import actions, permissions, selectors
from toki.transport.rides.models import Booking, MeetingPoint, Rider, ServiceArea
from toki.transport.rides.rules import Place, RideRequest

router = Router(tags=["rides"])


class PointOut(Schema):
    code: str
    name: str
    lat: float
    lon: float


class AreaOut(Schema):
    code: str
    name: str
    door_to_door: bool
    phone_number: str
    points: list[PointOut]


@router.get("/areas", response=list[AreaOut], summary="Service areas and their meeting points (public)")
def areas(request):
    municipality = default_municipality()
    if municipality is None:
        raise Http404
    return [{"code": a.code, "name": a.name, "door_to_door": a.door_to_door, "phone_number": a.phone_number,
             "points": [{"code": p.code, "name": p.name, "lat": p.lat, "lon": p.lon} for p in a.points.all()
                        if p.active]}
            for a in selectors.public_areas(municipality).prefetch_related("points")]


class BookingIn(Schema):
    area: str = Field(max_length=40)
    origin: str = Field(max_length=40, description="Meeting point code")
    destination: str = Field(max_length=40, description="Meeting point code")
    earliest_pickup: datetime | None = Field(None, description="Give this or latest_arrival (aware datetime)")
    latest_arrival: datetime | None = None
    passengers: int = Field(1, ge=1, le=9)
    wheelchairs: int = Field(0, ge=0, le=9)
    rider_id: Id | None = None
    evacuation: bool = False


class BookingOut(Schema):
    id: int
    status: str
    reason: str
    vehicle: str | None
    promised_pickup_from: datetime | None
    promised_pickup_until: datetime | None
    predicted_pickup: datetime | None
    predicted_arrival: datetime | None
    alternatives: list[datetime]


@router.post("/bookings", response=BookingOut, auth=django_auth,
             summary="Book a ride for a rider (the area's phone desk); answered at once")
def book(request, body: BookingIn):
    try:
        area = selectors.get_area_for_user(request.user, None, body.area)  # the default municipality's
    except ServiceArea.DoesNotExist:
        raise Http404 from None
    points = {p.code: p for p in MeetingPoint.objects.filter(area=area, code__in=[body.origin, body.destination])}
    for name, code in (("origin", body.origin), ("destination", body.destination)):
        if code not in points:
            raise HttpError(422, f"{name}: no meeting point {code!r} in the area {area.code}")
    for name, value in (("earliest_pickup", body.earliest_pickup), ("latest_arrival", body.latest_arrival)):
        if value is not None and value.tzinfo is None:
            raise HttpError(422, f"{name}: give the time with its offset (e.g. +09:00)")
    rider = None
    if body.rider_id is not None:
        try:
            rider = selectors.get_rider_for_user(request.user, area, body.rider_id)
        except Rider.DoesNotExist:  # not found, or not this desk's rider
            raise Http404 from None
    if not permissions.may_operate(request.user, area):
        raise Http404
    ride = RideRequest(area=area, origin=Place.of(points[body.origin]), destination=Place.of(points[body.destination]),
                       earliest_pickup=body.earliest_pickup, latest_arrival=body.latest_arrival,
                       passengers=body.passengers, wheelchairs=body.wheelchairs,
                       evacuation=body.evacuation)
    answer = actions.book_ride(acting_user=request.user, request=ride, channel=Booking.Channel.PHONE, rider=rider)
    booking = answer.booking
    return {"id": booking.pk, "status": booking.status, "reason": booking.reason,
            "vehicle": booking.vehicle.code if booking.vehicle else None,
            "promised_pickup_from": booking.promised_pickup_from,
            "promised_pickup_until": booking.promised_pickup_until, "predicted_pickup": booking.planned_pickup,
            "predicted_arrival": booking.planned_dropoff, "alternatives": answer.alternatives}
