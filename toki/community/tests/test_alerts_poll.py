from datetime import timedelta

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from toki.alerts.actions.orders import issue_evacuation_order
from toki.community.models import Device, SafetyReply
from toki.community.tests.support import CommunityTestCase
from toki.events.models import Event
from toki.hq.actions.incidents import open_incident


class PollTests(CommunityTestCase):
    def issue(self, district_code="ryotsu", level=4):
        return issue_evacuation_order(acting_user=self.alice, districts=[self.districts[district_code]],
                                      level=level, hazard="landslide", reason="土砂災害の危険")

    def test_it_answers_304_to_an_unchanged_conditional_poll(self):
        tablet = self.tablet(self.hana)
        first = tablet.get("/tablet/poll.json?v=1&battery=80")
        self.assertEqual(first.status_code, 200)
        self.assertEqual(first.json()["alerts"], [])
        again = tablet.get("/tablet/poll.json?v=1", HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")

    def test_it_costs_one_query_for_an_unchanged_poll(self):
        tablet = self.tablet(self.households[1])  # no watch-over (with it: one more, the open flag)
        etag = tablet.get("/tablet/poll.json")["ETag"]
        with self.assertNumQueries(1):  # the device (the alerts and the newest item are shared in the cache)
            tablet.get("/tablet/poll.json", HTTP_IF_NONE_MATCH=etag)

    def test_it_brings_an_order_for_the_households_district(self):
        tablet = self.tablet(self.hana)
        etag = tablet.get("/tablet/poll.json")["ETag"]
        self.issue()
        cache.clear()  # the district's alert state is shared for TOKI_COMMUNITY_POLL_CACHE_SECONDS (3 s)
        response = tablet.get("/tablet/poll.json", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(response.status_code, 200)
        alert = response.json()["alerts"][0]
        self.assertEqual((alert["level"], alert["css"]), (4, "level-4"))
        self.assertEqual(alert["title"], "避難指示（警戒レベル４）")
        self.assertEqual(alert["action"], "危険な場所から全員避難。")

    def test_it_leaves_out_orders_for_other_districts(self):
        tablet = self.tablet(self.nakagawa)  # 相川
        self.issue("ryotsu")
        self.assertEqual(tablet.get("/tablet/poll.json").json()["alerts"], [])

    def test_it_records_battery_and_version_from_the_poll(self):
        tablet = self.tablet(self.hana)
        Device.objects.filter(household=self.hana).update(last_seen_at=None)
        tablet.get("/tablet/poll.json?v=7&battery=42")
        device = Device.objects.get(household=self.hana)
        self.assertEqual((device.app_version, device.battery), ("7", 42))

    def test_it_shows_the_alert_page_without_javascript(self):
        tablet = self.tablet(self.hana)
        self.issue()
        page = tablet.get("/tablet/alert/")
        self.assertContains(page, "危険な場所から全員避難。")
        self.assertContains(page, 'value="safe"')


class SafetyReplyTests(CommunityTestCase):
    def setUp(self):
        super().setUp()
        self.orders = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                             hazard="landslide", reason="土砂災害の危険")
        self.incident = open_incident(acting_user=self.alice, municipality=self.municipality, name="大雨",
                                      kind="heavy_rain", started_at=timezone.now() - timedelta(hours=1))

    def test_it_records_a_reply_with_its_event(self):
        tablet = self.tablet(self.hana)
        response = tablet.post("/tablet/reply/", {"status": "safe", "alert": f"order:{self.orders[0].pk}"},
                               HTTP_ACCEPT="application/json")
        self.assertEqual(response.json()["status"], "safe")
        reply = SafetyReply.objects.get()
        self.assertEqual((reply.household, reply.by_family), (self.hana, False))
        event = Event.objects.get(name="community.safety_reply_recorded")
        self.assertEqual(event.ids, {"reply_id": reply.pk, "household_id": self.hana.pk})

    def test_it_refuses_an_unknown_answer(self):
        tablet = self.tablet(self.hana)
        self.assertEqual(tablet.post("/tablet/reply/", {"status": "maybe"}).status_code, 400)
        self.assertFalse(SafetyReply.objects.exists())

    def test_it_marks_a_family_members_reply(self):
        phone = self.tablet(self.hana, family_name="佐渡 次郎")
        phone.post("/tablet/reply/", {"status": "help"})
        self.assertTrue(SafetyReply.objects.get().by_family)

    def test_it_shows_replies_on_the_hq_board(self):
        self.tablet(self.hana).post("/tablet/reply/", {"status": "safe"})
        self.tablet(self.households[1]).post("/tablet/reply/", {"status": "help"})
        staff = Client()
        staff.force_login(self.alice)
        part = staff.get(f"/hq/incidents/{self.incident.pk}/board/community_safety/").content.decode()
        self.assertIn('id="safety-safe">無事 1', part.replace("Safe: ", "無事 "))
        self.assertIn(self.households[1].label, part)
        self.assertNotIn(self.hana.label, part)

    def test_it_counts_a_households_latest_answer_once(self):
        tablet = self.tablet(self.hana)
        tablet.post("/tablet/reply/", {"status": "help"})
        tablet.post("/tablet/reply/", {"status": "safe"})
        staff = Client()
        staff.force_login(self.alice)
        page = staff.get(f"/hq/incidents/{self.incident.pk}/board/community_safety/")
        safety = page.context["panel"]
        self.assertEqual((safety["safe"], safety["needs_help"]), (1, 0))

    def test_it_refuses_the_board_part_to_an_outsider(self):
        staff = Client()
        staff.force_login(self.eve)
        self.assertIn(staff.get(f"/hq/incidents/{self.incident.pk}/board/community_safety/").status_code, (403, 404))
