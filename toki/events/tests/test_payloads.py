"""Every registered event type, produced by the real actions, carries ids only (ADR 0007): no name, address,
phone number or free text of a resident, a shelter or a notice ever reaches the outbox."""

import json
from datetime import timedelta

from django.utils import timezone

from toki.accounts.models import User
from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.areas.models import District, Municipality
from toki.community import actions as community_actions
from toki.community.world import create_community_world
from toki.events import registry
from toki.events.models import Event
from toki.lifelines.actions import report_status, save_lifeline
from toki.notices.tests.helpers import make_notice
from toki.portal.actions import set_disaster_mode
from toki.posts.actions import approve_post
from toki.posts.models import Post
from toki.shelters.actions import import_shelters
from toki.shelters.actions.master import update_shelter_details
from toki.shelters.actions.openings import close_opening, confirm_status, set_crowding, set_opening_status
from toki.shelters.importing.rows import ShelterRow
from toki.shelters.models import Shelter, ShelterOpening
from toki.shelters.tests.world import ShelterWorldMixin, register_and_check_in
from toki.test import BaseTestCase
from toki.transport.fares.models import Purchase
from toki.transport.fares.tests.helpers import ProviderMixin


class EventPayloadTests(ProviderMixin, ShelterWorldMixin, BaseTestCase):
    alice: User
    carol: User
    municipality: Municipality
    districts: dict[str, District]
    shelter: Shelter
    opening: ShelterOpening

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()  # opens a shelter: shelters.opening_opened

    def produce_every_event(self) -> list[str]:
        """Run one action of each producer; returns the personal or free texts they were given."""
        orders = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                        hazard="landslide", reason="裏山に亀裂 佐渡 花子さん宅の裏")
        lift_evacuation_orders(acting_user=self.alice, orders=orders, reason="解除")
        household = register_and_check_in(self.carol, self.opening, extra=7, address="佐渡市両津夷1-2-3",
                                          phone="090-1234-5678")  # crowding changes
        set_crowding(acting_user=self.alice, opening=self.opening, crowding="full")
        confirm_status(acting_user=self.alice, opening=self.opening)
        set_opening_status(acting_user=self.alice, opening=self.opening, status="full")
        close_opening(acting_user=self.alice, opening=self.opening)
        update_shelter_details(acting_user=self.alice, shelter=self.shelter, phone="0259-00-1234",
                               contact_name="避難所 担当 太郎")
        row = ShelterRow(number=1, label="row 1", common_id="T00001", lat=38.08, lon=138.43,
                         fields={"name": "両津小学校", "is_designated_shelter": True})
        import_shelters([row], acting_user=self.alice, municipality=self.municipality, source="gsi",
                        file_name="test.csv")
        lifeline = save_lifeline(acting_user=None, municipality=self.municipality, code="power", kind="power",
                                 name="東北電力")
        report_status(acting_user=self.alice, lifeline=lifeline, status="suspended", source="東北電力 佐渡営業所",
                      as_of=timezone.now())
        make_notice(self)
        post = Post.objects.create(municipality=self.municipality, category=Post.Category.FLOODING,
                                   text="佐渡 花子さん宅の前が冠水", created_at=timezone.now(), device_hash="d" * 64)
        approve_post(acting_user=self.alice, post=post)
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True,
                          message="佐渡 花子さんの地区は避難してください")
        tablet_household = self.produce_community_events()
        self.prove_residency()  # fares: through the local OpenID provider, then a pass bought, paid and refunded
        self.pay(self.buy())
        self.deliver_webhooks()
        self.login(self.alice)
        self.client.post(f"/fares/staff/purchases/{Purchase.objects.get().pk}/refund/")
        self.book_and_cancel_a_ride()  # rides.booking_accepted, _cancelled, _boarded, _dropped_off, plan_changed
        member = household["members"][0]
        return [household["address"], household["phone"], member["name"], member["name_kana"], member["birth_date"],
                "佐渡 花子", "0259-00-1234", "避難所 担当 太郎", "東北電力", "両津小学校", "亀裂", tablet_household,
                "集会所", "両津 乗客", "0259-99-8765"]

    def produce_community_events(self) -> str:
        """Household tablets: a circular, a safety reply, a watch-over flag (issue 17)."""
        world = create_community_world(self.municipality, "community-password-1")
        household = world["households"][0]
        community_actions.publish_item(acting_user=world["leaders"]["kenji"], municipality=self.municipality,
                                       kind="circular", title="集会所の清掃", body="佐渡 花子さんの当番",
                                       jichikai=world["jichikai"][0])
        _code, secret = community_actions.create_enrolment_code(acting_user=self.alice, household=household)
        device, _cookie = community_actions.enrol_device(token=secret)
        community_actions.record_safety_reply(device=device, status="help")
        community_actions.sweep_watch_over(now=timezone.now() + timedelta(days=2))
        return household.label

    def book_and_cancel_a_ride(self) -> None:
        from datetime import datetime, time, timedelta

        from toki.transport.rides import actions as rides
        from toki.transport.rides.demo import seed_rides_demo
        from toki.transport.rides.rules import Place, RideRequest

        area = seed_rides_demo(self.municipality)[0]
        rider = rides.save_rider(acting_user=None, area=area, name="両津 乗客", phone="0259-99-8765")
        points = list(area.points.all()[:2])
        day = timezone.localdate() + timedelta(days=1)
        while day.isoweekday() == 7:
            day += timedelta(days=1)
        when = timezone.make_aware(datetime.combine(day, time(10)))
        answer = rides.book_ride(acting_user=None, channel="web", rider=rider, request=RideRequest(
            area=area, origin=Place.of(points[0]), destination=Place.of(points[1]), earliest_pickup=when,
            latest_arrival=None))
        rides.cancel_booking(acting_user=None, booking=answer.booking, by_rider=True)
        # The driver's tablet: rides.booking_boarded, rides.booking_dropped_off.
        from toki.transport.rides import driver

        ride = rides.book_ride(acting_user=None, channel="web", rider=rider, request=RideRequest(
            area=area, origin=Place.of(points[0]), destination=Place.of(points[1]), earliest_pickup=when,
            latest_arrival=None)).booking
        assert ride.vehicle is not None, ride.reason
        _code, secret = driver.create_enrolment(acting_user=self.alice, vehicle=ride.vehicle)
        tablet, _cookie = driver.enrol_tablet(token=secret)
        driver.mark_boarded(tablet=tablet, booking_id=ride.pk, at=when + timedelta(minutes=5))
        driver.mark_dropped_off(tablet=tablet, booking_id=ride.pk, at=when + timedelta(minutes=20))

    def test_it_carries_only_ids_in_every_registered_event_type(self):
        texts = self.produce_every_event()
        events = list(Event.objects.order_by("pk"))
        produced = {event.name for event in events}
        declared = {event_type.name for event_type in registry.event_types()}
        self.assertEqual(declared - produced, set(), "an event type no action of this test produces")
        for event in events:
            with self.subTest(event=event.name):
                self.assertEqual(set(event.ids), set(registry.event_type(event.name).ids))
                for key, value in event.ids.items():
                    self.assertTrue(key.endswith(("_id", "_ids")), key)
                    values = value if key.endswith("_ids") else [value]
                    self.assertTrue(all(type(v) is int for v in values), (key, value))
                self.assertEqual(event.municipality_id, self.municipality.pk)
                stored = json.dumps(event.ids, ensure_ascii=False) + event.name
                for text in texts:
                    self.assertNotIn(text, stored)

