"""Cached public pages (toki.portal.page_cache, docs/page-cache.md), through the URLconf: who gets a cached page,
what invalidates it (an order issued through the order page, disaster mode), the counters, and a dead cache."""

import re

from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from toki.alerts.models import EvacuationOrder
from toki.alerts.tests.order_pages import issue_through_pages
from toki.portal import page_cache
from toki.portal.actions import set_disaster_mode
from toki.portal.models import PageViewCount
from toki.portal.tests.test_analytics import PHONE
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin

HEADER = page_cache.STATUS_HEADER


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@override_settings(TOKI_PAGE_CACHE_SECONDS=30, TASKS=DATABASE_TASKS)
class PageCacheTests(QueueMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        caches[page_cache.CACHE_ALIAS].clear()
        page_cache.forget_version()  # the memo may hold a version of another test's (rolled back) database
        self.addCleanup(page_cache.forget_version)

    def get(self, url="/", **headers):
        return self.client.get(url, headers=headers)

    def test_a_second_anonymous_reader_gets_the_cached_page(self):
        first, second = self.get(), self.get()
        self.assertEqual(first[HEADER], "miss")
        self.assertEqual(second[HEADER], "hit")
        self.assertEqual(first.content, second.content)
        for response in (first, second):
            vary = {v.strip() for v in response["Vary"].split(",")}
            self.assertLessEqual({"Cookie", "Accept-Language"}, vary)
            self.assertIn("Content-Security-Policy", response)
            self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_each_language_has_its_own_copy(self):
        self.assertContains(self.get(), "防災情報")
        self.client.cookies["toki_language"] = "en"
        english = self.get()
        self.assertEqual(english[HEADER], "miss")
        self.assertContains(english, "Disaster information")
        self.assertEqual(self.get()[HEADER], "hit")
        del self.client.cookies["toki_language"]
        self.assertEqual(self.get()[HEADER], "hit")  # Japanese again: the first copy
        korean = self.client.get("/", HTTP_ACCEPT_LANGUAGE="ko")
        self.assertEqual(korean[HEADER], "miss")
        self.assertEqual(korean["Content-Language"], "ko")

    def test_an_order_issued_through_the_order_page_is_on_the_next_home_page(self):
        self.get()
        self.assertEqual(self.get()[HEADER], "hit")
        self.assertNotContains(self.get(), "高齢者等避難")
        staff = self.client_class()
        staff.force_login(self.alice)
        with self.committed():  # the worker delivers the domain events, as `make run` does within a second
            issue_through_pages(staff, districts=[self.districts["ogi"].pk], level=3, hazard="flood",
                                reason="川が増水しています")
        home = self.get()
        self.assertEqual(home[HEADER], "miss")
        self.assertContains(home, "高齢者等避難")

    def test_a_drill_never_reaches_the_public_through_the_cache(self):
        staff = self.client_class()
        staff.force_login(self.alice)
        with self.committed():
            issue_through_pages(staff, districts=[self.districts["ogi"].pk], level=3, hazard="flood",
                                reason="訓練です", drill=True)
        self.assertEqual(EvacuationOrder.objects.count(), 1)
        staff.get("/")  # staff render the home page first: never stored
        for _ in range(2):
            self.assertNotContains(self.get(), "高齢者等避難")

    def test_a_post_approved_or_hidden_through_moderation_is_on_the_next_posts_page(self):
        from toki.posts.models import Post

        post = Post.objects.create(municipality=self.municipality, category=Post.Category.choices[0][0],
                                   text="道路に倒木があります", created_at=timezone.now(), device_hash="d" * 64)
        for language in ("ja", "en"):
            self.client.cookies["toki_language"] = language
            self.get("/posts/")
            self.assertEqual(self.get("/posts/")[HEADER], "hit")
            self.assertNotContains(self.get("/posts/"), "道路に倒木があります")
        staff = self.client_class()
        staff.force_login(self.alice)
        with self.committed():
            staff.post(reverse("posts:approve", args=[post.pk]))
        for language in ("ja", "en"):
            self.client.cookies["toki_language"] = language
            page = self.get("/posts/")
            self.assertEqual(page[HEADER], "miss")
            self.assertContains(page, "道路に倒木があります")
        self.assertEqual(self.get("/posts/")[HEADER], "hit")
        with self.committed():
            staff.post(reverse("posts:hide", args=[post.pk]), {"reason": "個人情報を含むため"})
        self.assertNotContains(self.get("/posts/"), "道路に倒木があります")

    def test_switching_disaster_mode_shows_at_once(self):
        self.get()
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="高台へ避難して")
        self.assertContains(self.get(), "高台へ避難して")

    def test_staff_neither_read_nor_fill_the_cache(self):
        self.get("/warnings/")
        self.login(self.alice)
        staff_page = self.get("/warnings/")
        self.assertNotIn(HEADER, staff_page)
        self.assertContains(staff_page, reverse("accounts:home"))  # the staff link, never shown to the public
        self.client.logout()
        self.client.cookies.clear()
        public = self.get("/warnings/")
        self.assertEqual(public[HEADER], "hit")
        self.assertNotContains(public, reverse("accounts:home") + '"')

    def test_a_reader_with_a_session_or_a_message_gets_their_own_page(self):
        self.get()
        for cookie in ("sessionid", "messages"):
            with self.subTest(cookie=cookie):
                self.client.cookies.clear()
                self.client.cookies[cookie] = "x"
                self.assertNotIn(HEADER, self.get())

    def test_unknown_query_parameters_and_other_pages_are_not_cached(self):
        for url in ("/?utm_source=x", "/shelters/register/", "/shelters/safety/", reverse("accounts:login")):
            with self.subTest(url=url):
                self.get(url)
                self.assertNotIn(HEADER, self.get(url))

    def test_the_known_query_parameters_have_their_own_copies(self):
        self.get("/warnings/")
        page = self.get("/warnings/?category=weather")
        self.assertEqual(page[HEADER], "miss")
        self.assertEqual(self.get("/warnings/?category=weather")[HEADER], "hit")

    def test_every_cached_page_is_served_from_the_cache(self):
        for name in ("portal:home", "portal:warnings", "portal:shelters", "portal:tourist", "portal:preparedness",
                     "portal:opendata", "lifelines:index", "notices:list", "posts:list"):
            with self.subTest(page=name):
                url = reverse(name)
                self.assertEqual(self.get(url)[HEADER], "miss")
                self.assertEqual(self.get(url)[HEADER], "hit")

    def test_a_page_with_an_inline_style_gets_a_fresh_nonce(self):
        first, second = self.get("/lifelines/"), self.get("/lifelines/")
        self.assertEqual(second[HEADER], "hit")
        nonces = [re.search(rb'<style nonce="([^"]+)"', page.content).group(1).decode() for page in (first, second)]
        self.assertNotEqual(nonces[0], nonces[1])
        self.assertIn(f"'nonce-{nonces[1]}'", second["Content-Security-Policy"])

    def test_cached_pages_are_counted(self):
        for _ in range(3):
            self.client.get("/", HTTP_USER_AGENT=PHONE)
        self.assertEqual(PageViewCount.objects.get(path_group="home").views, 3)

    def test_a_dead_cache_renders_the_page(self):
        dead = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{free_port()}/9"}
        with (override_settings(CACHES={**settings.CACHES, "pages": dead}),
              self.assertLogs("toki.portal.page_cache", "WARNING")):
            for _ in range(2):
                response = self.client.get("/", HTTP_USER_AGENT=PHONE)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn(HEADER, response)
                self.assertContains(response, "防災情報")

    def test_it_is_off_when_its_lifetime_is_zero(self):
        with override_settings(TOKI_PAGE_CACHE_SECONDS=0):
            self.get()
            self.assertNotIn(HEADER, self.get())
