"""Staff pages of the outbox and the KPI figures: HQ only, counts per state, pinned query counts."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.alerts.actions.orders import issue_evacuation_order
from toki.alerts.announce import announce_alert as plan_alert
from toki.notify.kpi import line_subscribers_by_day
from toki.notify.models import Delivery, DeliveryBatch, DeliveryState, Subscriber
from toki.notify.tests.helpers import subscriber
from toki.test import BaseTestCase


class StaffViewTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for language in ("ja", "en", "ko"):
            subscriber(cls.municipality, language=language)
        cls.notifications = []
        for code in ("ryotsu", "aikawa", "ogi"):
            with cls.captureOnCommitCallbacks(execute=False):
                alert = issue_evacuation_order(acting_user=cls.alice, districts=[cls.districts[code]], level=3,
                                               hazard="flood", reason="増水")[0].issue_alert
                cls.notifications.append(plan_alert(alert.pk))
        first = cls.notifications[0]
        cls.dead = DeliveryBatch.objects.filter(notification=first, language="en").get()
        DeliveryBatch.objects.filter(pk=cls.dead.pk).update(state=DeliveryState.DEAD, attempts=8,
                                                            last_error="503: unavailable")
        Delivery.objects.filter(batch=cls.dead).update(state=DeliveryState.DEAD)
        accepted = DeliveryBatch.objects.filter(notification=first, language="ja")
        Delivery.objects.filter(batch__in=accepted).update(state=DeliveryState.ACCEPTED)
        accepted.update(state=DeliveryState.ACCEPTED, finished_at=timezone.now())

    def test_it_refuses_outsiders(self):
        self.login(self.eve)
        for url in (reverse("notify:deliveries"), reverse("notify:notification", args=[self.notifications[0].pk]),
                    reverse("notify:kpi_json")):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(reverse("notify:retry", args=[self.dead.pk])).status_code, 404)

    def test_it_refuses_branch_office_and_shelter_staff(self):
        for user in (self.bob, self.carol):
            self.login(user)
            self.assertEqual(self.client.get(reverse("notify:deliveries")).status_code, 404)

    def test_it_sends_anonymous_visitors_to_login(self):
        response = self.client.get(reverse("notify:deliveries"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_it_lists_notifications_with_counts_in_a_fixed_number_of_queries(self):
        self.login(self.alice)
        self.client.get(reverse("notify:deliveries"))  # warm the session and the permission caches
        with self.assertNumQueries(8):  # session, user, municipality, memberships, list, problems, base page (2)
            response = self.client.get(reverse("notify:deliveries"))
        self.assertEqual(response.status_code, 200)
        first = next(n for n in response.context["notifications"] if n.pk == self.notifications[0].pk)
        self.assertEqual((first.recipients, first.n_accepted, first.n_dead, first.n_pending), (3, 1, 1, 1))
        self.assertEqual([b.pk for b in response.context["problems"]], [self.dead.pk])

    def test_it_shows_one_notifications_batches(self):
        self.login(self.alice)
        response = self.client.get(reverse("notify:notification", args=[self.notifications[0].pk]))
        self.assertContains(response, "503: unavailable")
        self.assertEqual(len(response.context["batches"]), 3)

    def test_it_sends_a_dead_batch_again_with_the_same_key(self):
        self.login(self.alice)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            response = self.client.post(reverse("notify:retry", args=[self.dead.pk]))
        self.assertEqual(response.status_code, 302)
        batch = DeliveryBatch.objects.get(pk=self.dead.pk)
        self.assertEqual((batch.state, batch.attempts, batch.retry_key), (DeliveryState.PLANNED, 0,
                                                                          self.dead.retry_key))
        self.assertEqual(len(callbacks), 1)
        self.assertTrue(AuditEvent.objects.filter(action="notify.retry_batch", object_id=str(batch.pk)).exists())

    def test_it_returns_the_kpi_figures_as_json(self):
        self.login(self.alice)
        response = self.client.get(reverse("notify:kpi_json"))
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["totals"], {"line_subscribers_at_end": 3, "line_deliveries": 1})
        self.assertEqual(data["line_deliveries_by_month"][0]["accepted"], 1)

    def test_it_refuses_a_reversed_or_too_long_kpi_range_naming_the_reason(self):
        self.login(self.alice)
        reversed_range = self.client.get(reverse("notify:kpi_json"), {"start": "2026-11-24", "end": "2026-11-01"})
        self.assertEqual(reversed_range.status_code, 400)
        self.assertIn("開始日は終了日より後にできません", str(reversed_range.json()["errors"]))
        too_long = self.client.get(reverse("notify:kpi_json"), {"start": "2024-01-01", "end": "2026-11-24"})
        self.assertEqual(too_long.status_code, 400)
        self.assertIn("366", str(too_long.json()["errors"]))
        not_a_date = self.client.get(reverse("notify:kpi_json"), {"start": "yesterday"})
        self.assertEqual(not_a_date.status_code, 400)
        self.assertIn("start", not_a_date.json()["errors"])

    def test_it_gives_the_kpi_figures_of_the_range_asked_for(self):
        self.login(self.alice)
        data = self.client.get(reverse("notify:kpi_json"), {"start": "2026-11-20", "end": "2026-11-24"}).json()
        self.assertEqual((data["start"], data["end"]), ("2026-11-20", "2026-11-24"))
        self.assertEqual([day["date"] for day in data["line_subscribers"]],
                         ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"])


class RegistrationKpiTests(BaseTestCase):
    def test_it_counts_active_line_subscribers_at_the_end_of_each_day(self):
        today = timezone.localdate()
        now = timezone.now()
        a = subscriber(self.municipality)
        b = subscriber(self.municipality)
        c = subscriber(self.municipality)
        Subscriber.objects.filter(pk=a.pk).update(followed_at=now - timedelta(days=10))
        Subscriber.objects.filter(pk=b.pk).update(followed_at=now - timedelta(days=2))
        Subscriber.objects.filter(pk=c.pk).update(followed_at=now - timedelta(days=5),
                                                  unfollowed_at=now - timedelta(days=1), is_active=False)
        with self.assertNumQueries(3):
            days = line_subscribers_by_day(self.municipality, today - timedelta(days=6), today)
        self.assertEqual(days[today - timedelta(days=6)], 1)
        self.assertEqual(days[today - timedelta(days=5)], 2)
        self.assertEqual(days[today - timedelta(days=2)], 3)
        self.assertEqual(days[today], 2)
