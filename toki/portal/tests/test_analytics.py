from datetime import UTC, date, datetime, timedelta
from unittest import mock

from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from toki.lib.client_address import client_address
from toki.portal import analytics
from toki.portal.models import DailySalt, DailyVisitorCount, PageViewCount, SurveyAnswer, VisitorDay
from toki.portal.tests.test_disaster_mode import with_portal_staff
from toki.test import BaseTestCase

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Mobile Safari"
IP = "203.0.113.77"
DAY1 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo
DAY2 = DAY1 + timedelta(days=1)


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


class AnalyticsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()  # the day's salt is cached; each test starts from the database alone

    def visit(self, url="/", *, ua=PHONE, ip=IP, **extra):
        return self.client.get(url, HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **extra)

    def views(self, group="home"):
        return sum(PageViewCount.objects.filter(path_group=group).values_list("views", flat=True))


@with_portal_staff
class PageViewCountingTests(AnalyticsTestCase):
    def test_it_counts_a_public_page_view_by_day_and_group(self):
        with at(DAY1):
            self.visit()
            self.visit()
            self.visit(reverse("portal:shelters"))
        self.assertEqual(PageViewCount.objects.get(day=date(2026, 11, 24), path_group="home").views, 2)
        self.assertEqual(self.views("shelters"), 1)

    def test_it_counts_a_visitor_once_a_day(self):
        with at(DAY1):
            self.visit()
            self.visit(reverse("portal:shelters"))
        self.assertEqual(VisitorDay.objects.count(), 1)

    def test_it_tells_the_browser_only_the_date_of_the_visit(self):
        with at(DAY1):
            response = self.visit()
        cookie = response.cookies[analytics.SEEN_COOKIE]
        self.assertEqual(cookie.value, "2026-11-24")
        self.assertTrue(cookie["httponly"])
        self.assertIn("private", response["Cache-Control"])

    def test_it_sets_no_cookie_once_the_visit_is_counted(self):
        with at(DAY1):
            self.visit()
            self.assertNotIn(analytics.SEEN_COOKIE, self.visit().cookies)

    def test_it_counts_a_visitor_who_came_on_an_earlier_day_as_a_repeat(self):
        with at(DAY1):
            self.visit()
        with at(DAY2):
            self.visit()
        self.assertEqual(list(VisitorDay.objects.order_by("day").values_list("is_repeat", flat=True)), [False, True])

    def test_it_does_not_count_a_new_visitor_as_a_repeat(self):
        with at(DAY2):
            self.visit(ua=PHONE + " other")
        self.assertFalse(VisitorDay.objects.get().is_repeat)

    def test_it_ignores_a_malformed_date_cookie(self):
        self.client.cookies[analytics.SEEN_COOKIE] = "not-a-date"
        with at(DAY1):
            self.visit()
        self.assertFalse(VisitorDay.objects.get().is_repeat)

    def test_it_tells_different_readers_apart_within_a_day(self):
        with at(DAY1):
            self.visit(ip="203.0.113.1")
            self.client.cookies.clear()
            self.visit(ip="203.0.113.2")
        self.assertEqual(VisitorDay.objects.count(), 2)

    def test_it_stores_no_ip_address_or_user_agent_anywhere(self):
        with at(DAY1):
            self.visit()
            self.visit(reverse("portal:shelters"))
            self.client.post(reverse("portal_staff:survey"), {"rating": "4", "comment": "良い", "next": "/"},
                             HTTP_USER_AGENT=PHONE, REMOTE_ADDR=IP)
        self.assertTrue(SurveyAnswer.objects.exists())
        tables = [m._meta.db_table for m in apps.get_app_config("portal").get_models()]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
                for row in cursor.fetchall():
                    text = " ".join(str(value) for value in row)
                    for secret in (IP, PHONE, "iPhone", "Safari"):
                        self.assertNotIn(secret, text, f"{secret!r} found in {table}")

    def test_it_rotates_the_salt_every_day(self):
        with at(DAY1):
            self.visit()
        with at(DAY2):
            self.visit()
        salts = list(DailySalt.objects.order_by("day").values_list("salt", flat=True))
        hashes = set(VisitorDay.objects.values_list("visitor_hash", flat=True))
        self.assertEqual(len(set(salts)), 2)
        self.assertEqual(len(hashes), 2)  # the same reader cannot be linked across the two days

    def test_it_does_not_count_bots(self):
        for ua in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0", "python-requests/2.32", ""):
            self.visit(ua=ua)
        self.assertEqual(PageViewCount.objects.count(), 0)
        self.assertEqual(VisitorDay.objects.count(), 0)

    def test_it_does_not_count_prefetches(self):
        self.visit(HTTP_SEC_PURPOSE="prefetch")
        self.assertEqual(PageViewCount.objects.count(), 0)

    def test_it_does_not_count_staff_pages_or_logged_in_staff(self):
        self.login(self.alice)
        self.visit()
        self.visit(reverse("portal_staff:kpi"))
        self.visit(reverse("alerts:staff_alerts"))
        self.assertEqual(PageViewCount.objects.count(), 0)

    def test_it_does_not_count_the_login_page_files_or_errors(self):
        self.visit(reverse("accounts:login"))
        self.visit(reverse("portal:shelters_csv"))
        self.visit("/no-such-page/")
        self.assertEqual(PageViewCount.objects.count(), 0)

    def test_it_does_not_count_posts(self):
        self.client.post("/", HTTP_USER_AGENT=PHONE)
        self.assertEqual(PageViewCount.objects.count(), 0)

    def test_it_serves_the_page_when_counting_fails(self):
        with mock.patch("toki.portal.analytics._increment_views", side_effect=DatabaseError("locked")):
            response = self.visit()
        self.assertEqual(response.status_code, 200)


class CountingCostTests(AnalyticsTestCase):
    def request(self, seen=None):
        request = RequestFactory().get("/", HTTP_USER_AGENT=PHONE, REMOTE_ADDR=IP)
        if seen:
            request.COOKIES[analytics.SEEN_COOKIE] = seen
        return request

    def test_it_costs_one_query_for_a_reader_already_counted_today(self):
        with at(DAY1), self.assertNumQueries(1):
            analytics.count_page_view(self.request("2026-11-24"), HttpResponse(), "home")

    def test_it_costs_two_queries_for_a_reader_new_today(self):
        with at(DAY1):
            analytics.daily_salt(date(2026, 11, 24))
            with self.assertNumQueries(2):
                analytics.count_page_view(self.request(), HttpResponse(), "home")

    def test_it_costs_three_queries_when_the_salt_is_not_cached_yet(self):
        with at(DAY1), self.assertNumQueries(3):
            analytics.count_page_view(self.request(), HttpResponse(), "home")


class PathGroupTests(BaseTestCase):
    def test_it_groups_public_paths(self):
        cases = {"/": "home", "/shelters/": "shelters", "/warnings/": "alerts", "/lifelines/power/": "lifelines",
                 "/notices/12/": "notices", "/posts/": "posts", "/tourist/en/": "tourist", "/opendata/": "other"}
        self.assertEqual({path: analytics.path_group(path) for path in cases}, cases)

    def test_it_leaves_out_staff_api_and_files(self):
        for path in ("/portal/kpi/", "/api/v1/alerts", "/static/css/toki.css", "/media/x.jpg", "/accounts/login/",
                     "/posts/moderation/", "/lifelines/staff/"):
            self.assertIsNone(analytics.path_group(path), path)

    def test_it_believes_x_real_ip_only_from_the_local_proxy(self):
        factory = RequestFactory()
        proxied = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=IP)
        direct = factory.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_REAL_IP=IP)
        self.assertEqual((client_address(proxied), client_address(direct)), (IP, "198.51.100.9"))


class RotationTests(AnalyticsTestCase):
    def setUp(self):
        super().setUp()
        for day, n_keys, n_repeat in ((date(2026, 11, 20), 3, 1), (date(2026, 11, 23), 2, 0),
                                      (date(2026, 11, 24), 1, 1)):
            DailySalt.objects.create(day=day, salt=f"{day}")
            for i in range(n_keys):
                VisitorDay.objects.create(day=day, visitor_hash=f"{day}-{i}", is_repeat=i < n_repeat,
                                          first_seen=DAY1)
        SurveyAnswer.objects.create(day=date(2026, 11, 20), visitor_hash="2026-11-20-0", rating=5)

    def rotate(self):
        with at(DAY1):
            call_command("rotate_analytics", verbosity=0, stdout=mock.Mock())

    def test_it_deletes_the_salts_of_past_days(self):
        self.rotate()
        self.assertEqual(list(DailySalt.objects.values_list("day", flat=True)), [date(2026, 11, 24)])

    def test_it_folds_keys_older_than_two_days_into_daily_counts(self):
        self.rotate()
        counts = DailyVisitorCount.objects.get(day=date(2026, 11, 20))
        self.assertEqual((counts.unique_visitors, counts.repeat_visitors), (3, 1))
        self.assertEqual(sorted(set(VisitorDay.objects.values_list("day", flat=True))),
                         [date(2026, 11, 23), date(2026, 11, 24)])

    def test_it_blanks_the_survey_keys_of_those_days(self):
        self.rotate()
        answer = SurveyAnswer.objects.get()
        self.assertEqual((answer.visitor_hash, answer.rating), (None, 5))

    def test_it_is_idempotent(self):
        self.rotate()
        self.rotate()
        counts = DailyVisitorCount.objects.get(day=date(2026, 11, 20))
        self.assertEqual((counts.unique_visitors, counts.repeat_visitors), (3, 1))
        self.assertEqual(DailyVisitorCount.objects.count(), 1)
