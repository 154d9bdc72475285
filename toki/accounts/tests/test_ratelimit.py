"""The one rate limiter every app counts with (toki.accounts.ratelimit): the posts, the survey and the public
shelter pages (pre-registration, 安否 search). Their pages' 429s are tested in their apps; here what they share."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from toki.accounts import ratelimit
from toki.accounts.models import RateCounter

PER_CLIENT = ratelimit.Limit("tests.client", 2, timedelta(minutes=10))
EVERYONE = ratelimit.Limit("tests.everyone", 3, timedelta(minutes=10))


class RateLimitTests(TestCase):
    def take(self, client: str, *, now=None) -> bool:
        return ratelimit.take_all((PER_CLIENT, PER_CLIENT.key_for(client)), (EVERYONE, ratelimit.GLOBAL), now=now)

    def test_it_counts_each_client_and_everyone_together(self):
        self.assertEqual([self.take("192.0.2.1") for _ in range(3)], [True, True, False])
        self.assertEqual([self.take("192.0.2.2") for _ in range(2)], [True, False])

    def test_it_counts_nothing_when_the_common_budget_refuses(self):
        for client in ("192.0.2.1", "192.0.2.1", "192.0.2.2"):
            self.take(client)
        self.assertFalse(self.take("192.0.2.3"))
        self.assertFalse(RateCounter.objects.filter(scope=PER_CLIENT.scope, key=PER_CLIENT.key_for("192.0.2.3"),
                                                    count__gt=0).exists())

    def test_it_spends_no_common_budget_on_a_client_over_its_own_limit(self):
        for _ in range(5):
            self.take("192.0.2.1")
        self.assertTrue(self.take("192.0.2.2"))

    def test_it_opens_again_after_the_window(self):
        start = timezone.now()
        self.assertEqual([self.take("192.0.2.1", now=start) for _ in range(3)], [True, True, False])
        self.assertTrue(self.take("192.0.2.1", now=start + timedelta(minutes=10, seconds=1)))

    def test_it_keeps_no_value_in_clear(self):
        self.take("192.0.2.77")
        self.assertFalse(RateCounter.objects.filter(key__contains="192.0.2.77").exists())

    def test_it_forgets_counters_a_day_old_with_the_hourly_purge(self):
        self.take("192.0.2.1")
        RateCounter.objects.filter(scope=PER_CLIENT.scope).update(window_started_at=timezone.now() - timedelta(days=2))
        call_command("purge_login_throttles", stdout=StringIO())
        self.assertEqual(list(RateCounter.objects.values_list("scope", flat=True)), [EVERYONE.scope])
