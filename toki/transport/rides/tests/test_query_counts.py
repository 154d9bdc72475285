"""The phone desk's list and the operations board read a fixed number of queries however many bookings there are
(DESIGN.md rule 10)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from toki.transport.rides import actions
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local


class QueryCountTests(RidesTestCase):
    def book(self, count: int):
        rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="0259-23-0000")
        for i in range(count):
            request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-office")),
                                  destination=Place.of(self.point("aiport")),
                                  earliest_pickup=local(self.day, 9, 5 * i), latest_arrival=None)
            actions.book_ride(acting_user=None, request=request, channel="web", rider=rider, now=local(self.day, 6))

    def queries(self, url: str) -> int:
        self.login(self.bob)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)

    def test_the_board_does_not_grow_with_the_bookings(self):
        url = reverse("rides:board", args=["ryotsu"]) + f"?day={self.day.isoformat()}"
        self.book(2)
        few = self.queries(url)
        self.book(6)
        self.assertEqual(self.queries(url), few)

    def test_the_desk_does_not_grow_with_the_riders(self):
        url = reverse("rides:desk", args=["ryotsu"])
        self.book(1)
        few = self.queries(url)
        for i in range(5):
            actions.save_rider(acting_user=None, area=self.ryotsu, name=f"利用者 {i}", phone=f"0259-00-000{i}")
        self.assertEqual(self.queries(url), few)
