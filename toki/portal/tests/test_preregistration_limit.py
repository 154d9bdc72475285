"""Security issue 13, finding 4: the public pre-registration (anyone can register anyone) is rate limited per
client address and by a global budget, with a clear 429 page; nothing is stored beyond the limit."""

from datetime import timedelta

from django.db.models import F
from django.test import override_settings
from django.urls import reverse

from toki.accounts.models import RateCounter
from toki.shelters.models import Household
from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import BaseTestCase

FORM = {"m-TOTAL_FORMS": 1, "m-INITIAL_FORMS": 0, "m-MIN_NUM_FORMS": 1, "m-MAX_NUM_FORMS": 30,
        "m-0-name_kana": "ツダ ミサキ", "m-0-birth_date": "1990-05-06", "m-0-sex": "unknown", "stay": "shelter",
        "disclosure": "yes",
        "consent": "on"}


@override_settings(TOKI_PREREGISTRATIONS_PER_ADDRESS=2, TOKI_PREREGISTRATIONS_PER_HOUR=3)
class PreRegistrationLimitTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def register(self, address: str):
        client = self.client_class(REMOTE_ADDR=address)
        client.cookies["toki_language"] = "en"
        return client.post(reverse("portal:preregister"), FORM)

    def test_it_limits_pre_registrations_per_client_address(self):
        self.assertEqual([self.register("192.0.2.1").status_code for _ in range(3)], [302, 302, 429])
        self.assertEqual(Household.objects.count(), 2)

    def test_it_answers_over_the_limit_with_a_clear_page(self):
        for _ in range(2):
            self.register("192.0.2.1")
        response = self.register("192.0.2.1")
        self.assertContains(response, "Too many registrations", status_code=429)
        self.assertContains(response, "the staff will register you at the desk", status_code=429)

    def test_it_keeps_a_global_budget_behind_the_per_address_limit(self):
        statuses = [self.register(f"198.51.100.{n}").status_code for n in range(1, 6)]
        self.assertEqual(statuses, [302, 302, 302, 429, 429])
        self.assertEqual(Household.objects.count(), 3)

    def test_it_does_not_spend_the_global_budget_on_a_refused_address(self):
        for _ in range(5):
            self.register("192.0.2.1")
        self.assertEqual(self.register("192.0.2.2").status_code, 302)

    def test_it_counts_only_what_would_be_stored(self):
        client = self.client_class(REMOTE_ADDR="192.0.2.1")
        for _ in range(3):
            client.post(reverse("portal:preregister"), {**FORM, "consent": ""})  # invalid: nothing stored
        self.assertEqual(self.register("192.0.2.1").status_code, 302)

    def test_it_opens_again_after_the_window(self):
        self.assertEqual([self.register("192.0.2.1").status_code for _ in range(3)], [302, 302, 429])
        # As an hour later: the counters' windows (accounts.ratelimit) started an hour and a second ago.
        RateCounter.objects.update(window_started_at=F("window_started_at") - timedelta(hours=1, seconds=1))
        self.assertEqual(self.register("192.0.2.1").status_code, 302)

    def test_it_refuses_again_once_the_new_window_is_spent(self):
        for _ in range(2):
            self.register("192.0.2.1")
        RateCounter.objects.update(window_started_at=F("window_started_at") - timedelta(hours=1, seconds=1))
        self.assertEqual([self.register("192.0.2.1").status_code for _ in range(3)], [302, 302, 429])
