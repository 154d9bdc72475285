"""Redis down (issue 22): the cache and the RQ queue point at a loopback port where nothing listens, as when Redis
has stopped. Public pages, the HQ board's live parts, a tablet batch that changes crowding and an evacuation order
must all answer as usual; what they could not enqueue is redelivered from the outbox once a queue answers again
(the chronology entries are not lost), and page views are kept, not lost."""

import json
import socket
import uuid
from io import StringIO

from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from toki.alerts.models import Alert, EvacuationOrder
from toki.alerts.tests.order_pages import issue_through_pages
from toki.hq.models import ChronologyEntry
from toki.portal import analytics
from toki.portal.models import PageViewCount
from toki.shelters.models import ShelterOpening
from toki.shelters.tests.world import ShelterWorldMixin, household_payload
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def closed_port() -> int:
    """A loopback port nobody listens on (taken from the kernel, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_down():
    url = f"redis://127.0.0.1:{closed_port()}/0"
    return override_settings(
        CACHES={"default": {"BACKEND": "toki.lib.cache.ForgivingRedisCache", "LOCATION": url}},
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        RQ_QUEUES={"default": {"URL": url, "DEFAULT_TIMEOUT": 300}},
    )


@override_settings(TASKS=DATABASE_TASKS)
class RedisDownTests(QueueMixin, ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def setUp(self):
        super().setUp()
        down = redis_down()
        down.enable()
        self.addCleanup(down.disable)
        self.addCleanup(caches["default"].close)

    def redis_back(self):
        """Redis answers again (the database queue stands in for it): the sweep redelivers what was not enqueued,
        and the worker runs it."""
        with override_settings(TASKS=DATABASE_TASKS):
            call_command("events_sweep", stdout=StringIO())  # the outbox's quick redelivery, no --grace needed
            self.run_queued_tasks()

    def test_public_pages_answer_and_their_views_are_kept_for_later(self):
        before = sum(PageViewCount.objects.values_list("views", flat=True))
        for path in ("/", "/shelters/", "/", "/shelters/"):
            response = self.client.get(path, headers={"user-agent": BROWSER})
            self.assertEqual(response.status_code, 200, path)
        self.assertContains(response, self.shelter.name)
        self.assertGreaterEqual(caches["default"].errors, 1)  # the cache was tried and bypassed
        # The counter uses the database (up): every view counted, none dropped.
        self.assertEqual(sum(PageViewCount.objects.values_list("views", flat=True)) - before, 4)

    def test_page_views_the_database_refuses_are_kept_then_written_and_past_the_bound_dropped(self):
        pending = analytics.PendingViews(limit=2)
        original = analytics.pending_views
        analytics.pending_views = pending
        self.addCleanup(setattr, analytics, "pending_views", original)
        real_increment = analytics._increment_views

        def refused(*args, **kwargs):
            raise OSError("database unreachable")

        analytics._increment_views = refused
        try:
            for _ in range(3):
                self.assertEqual(self.client.get("/", headers={"user-agent": BROWSER}).status_code, 200)
        finally:
            analytics._increment_views = real_increment
        self.assertEqual((pending.views.total(), pending.dropped), (2, 1))
        self.client.get("/", headers={"user-agent": BROWSER})
        self.assertEqual(PageViewCount.objects.get(day=timezone.localdate(), path_group="home").views, 3)
        self.assertEqual(pending.views.total(), 0)

    def test_the_hq_board_and_its_live_parts_answer(self):
        self.login(self.alice)
        base = f"/hq/incidents/{self.incident.pk}/board/"
        for path in (base, base + "summary/", base + "instructions/", base + "chronology/", base + "map.json"):
            self.assertEqual(self.client.get(path).status_code, 200, path)

    def test_a_tablet_batch_that_changes_crowding_is_applied_and_its_chronology_entry_arrives_later(self):
        self.login(self.carol)
        payload = household_payload(extra=7)  # 8 of 10 → 混雑
        events = [
            {"id": str(uuid.uuid4()), "type": "register_household", "occurred_at": timezone.now().isoformat(),
             "payload": payload},
            {"id": str(uuid.uuid4()), "type": "check_in", "occurred_at": timezone.now().isoformat(),
             "payload": {"household_id": payload["household_id"]}},
        ]
        with self.assertLogs("toki.lib.tasks", "WARNING"), self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/api/v1/shelters/openings/{self.opening.pk}/events",
                                        content_type="application/json",
                                        data=json.dumps({"device_id": "tab-1", "events": events}))
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertEqual([r["status"] for r in response.json()["results"]], ["applied", "applied"])
        self.assertEqual(ShelterOpening.objects.get(pk=self.opening.pk).crowding, "crowded")
        crowding = ChronologyEntry.objects.filter(incident=self.incident, content__contains="混雑")
        self.assertEqual(crowding.count(), 0)  # nothing could be enqueued
        self.redis_back()
        self.assertEqual(crowding.count(), 1)

    def test_an_evacuation_order_answers_success_once_committed_and_its_side_effects_come_from_the_outbox(self):
        self.login(self.alice)
        district = self.districts["ryotsu"]
        with self.assertLogs("toki.lib.tasks", "WARNING"), self.captureOnCommitCallbacks(execute=True):
            response = issue_through_pages(self.client, districts=[district.pk], level=4, hazard="landslide",
                                           reason="土砂災害の危険")
            response = self.client.get(response["Location"])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "両津")
        self.assertEqual(EvacuationOrder.objects.filter(district=district, lifted_at=None).count(), 1)
        alert = Alert.objects.get(source=Alert.Source.CITY)
        entries = ChronologyEntry.objects.filter(incident=self.incident, category="evacuation")
        self.assertEqual(entries.count(), 0)
        self.redis_back()
        self.assertEqual(entries.count(), 1)
        from toki.notify.models import Notification

        planned = Notification.objects.filter(source_key=f"alert:{alert.pk}")
        self.assertEqual(planned.count(), 1)  # LINE planned, from the outbox
        self.redis_back()  # a second sweep changes nothing
        self.assertEqual((entries.count(), planned.count()), (1, 1))
