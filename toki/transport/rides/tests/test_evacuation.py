"""During an evacuation order in force for an area's district, the day's seats are kept for evacuation rides: the
state follows the alerts through the alerts.alert_published event."""

from django.test import override_settings

from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.test import DATABASE_TASKS, QueueMixin
from toki.transport.rides import actions
from toki.transport.rides.models import Booking, ServiceArea
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local


@override_settings(TASKS=DATABASE_TASKS)
class EvacuationTests(QueueMixin, RidesTestCase):
    @property
    def now(self):
        return local(self.day, 10)

    def request(self, *, evacuation: bool):
        soon = local(self.day, 10, 5)  # five minutes after NOW
        return RideRequest(area=ServiceArea.objects.get(code="ryotsu"), origin=Place.of(self.point("yoshii-es")),
                           destination=Place.of(self.point("ryotsu-jhs")), earliest_pickup=soon,
                           latest_arrival=None, evacuation=evacuation)

    def issue(self):
        with self.committed():
            return issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                          hazard="flood", reason="大雨のため")

    def test_it_keeps_the_day_for_evacuation_rides_while_an_order_is_in_force(self):
        self.issue()
        area = ServiceArea.objects.get(code="ryotsu")
        self.assertIsNotNone(area.evacuation_since)
        ordinary = actions.book_ride(acting_user=self.bob, request=self.request(evacuation=False), channel="phone",
                                     now=self.now)
        self.assertEqual(ordinary.booking.status, Booking.Status.REJECTED)
        self.assertIn("避難のために確保", ordinary.booking.reason)
        self.assertIsNone(ServiceArea.objects.get(code="aikawa").evacuation_since)

    def test_a_suspension_of_the_day_keeps_its_evacuation_rides(self):
        from toki.transport.rides import actions_setup

        self.issue()
        ride = actions.book_ride(acting_user=self.bob, request=self.request(evacuation=True), channel="phone",
                                 now=self.now).booking
        self.assertEqual(ride.status, Booking.Status.ACCEPTED, ride.reason)
        done = actions_setup.suspend_day(acting_user=self.bob, area=ride.area, day=self.day, note="台風接近",
                                         now=self.now)
        self.assertEqual(done.cancelled, 0)
        ride.refresh_from_db()
        self.assertEqual(ride.status, Booking.Status.ACCEPTED)

    def test_it_takes_an_evacuation_ride_at_short_notice(self):
        self.issue()
        answer = actions.book_ride(acting_user=self.bob, request=self.request(evacuation=True), channel="phone",
                                   now=self.now)
        self.assertEqual(answer.booking.status, Booking.Status.ACCEPTED, answer.booking.reason)

    def test_it_refuses_an_evacuation_ride_with_no_order(self):
        answer = actions.book_ride(acting_user=self.bob, request=self.request(evacuation=True), channel="phone",
                                   now=self.now)
        self.assertEqual(answer.booking.reason, "この地区には避難指示等が出ていません。")

    def test_it_ends_when_the_order_is_lifted(self):
        orders = self.issue()
        with self.committed():
            lift_evacuation_orders(acting_user=self.alice, orders=orders, reason="解除")
        self.assertIsNone(ServiceArea.objects.get(code="ryotsu").evacuation_since)
