"""What the rides app announces (toki.events, ADR 0007). Ids only."""

from toki.events.registry import declare

BOOKING_ACCEPTED = declare("rides.booking_accepted", ids=("booking_id",),
                           doc="a ride was booked and put on a vehicle's plan")
BOOKING_CANCELLED = declare("rides.booking_cancelled", ids=("booking_id",),
                            doc="a booked ride was cancelled or its rider did not show")
BOOKING_BOARDED = declare("rides.booking_boarded", ids=("booking_id",),
                          doc="the driver's tablet marked the rider on board")
BOOKING_DROPPED_OFF = declare("rides.booking_dropped_off", ids=("booking_id",),
                              doc="the driver's tablet marked the rider dropped off (the ride is completed)")
PLAN_CHANGED = declare("rides.plan_changed", ids=("vehicle_day_ids",),
                       doc="the re-optimiser or a cancellation changed vehicles' plans for a day")


def publish_booking(name: str, booking) -> None:
    from toki.events.outbox import publish

    publish(name, municipality_id=booking.area.municipality_id, booking_id=booking.pk)


def publish_plans(municipality_id: int, vehicle_day_ids) -> None:
    from toki.events.outbox import publish

    publish(PLAN_CHANGED, municipality_id=municipality_id, vehicle_day_ids=sorted(set(vehicle_day_ids)))
