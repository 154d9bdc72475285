from datetime import UTC, date, datetime

from django.core.cache import cache
from django.urls import reverse

from toki.accounts.models import Membership, OrgUnit, Role, User
from toki.alerts.actions.orders import issue_evacuation_order
from toki.alerts.models import Alert
from toki.notices.actions import create_notice, publish_notice
from toki.notices.models import Notice
from toki.portal import kpi
from toki.portal.models import DailyVisitorCount, PageViewCount, SurveyAnswer, VisitorDay
from toki.portal.permissions import may_view_kpi
from toki.portal.tests.test_analytics import DAY1, IP, PHONE, at
from toki.portal.tests.test_disaster_mode import with_portal_staff
from toki.test import BaseTestCase

NOV24 = date(2026, 11, 24)
CATEGORY = Notice.Category.values[0]


class KpiFiguresTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.viewer = User.objects.create_user("hq-viewer", password="x-long-password-1")
        Membership.objects.create(user=cls.viewer, org_unit=OrgUnit.objects.get(kind=OrgUnit.Kind.HQ),
                                  role=Role.VIEWER)
        PageViewCount.objects.create(day=NOV24, path_group="home", views=10)
        PageViewCount.objects.create(day=NOV24, path_group="shelters", views=5)
        PageViewCount.objects.create(day=date(2026, 11, 20), path_group="home", views=7)
        DailyVisitorCount.objects.create(day=date(2026, 11, 20), unique_visitors=4, repeat_visitors=1)
        for i, repeat in enumerate((True, False, False, True)):
            VisitorDay.objects.create(day=NOV24, visitor_hash=f"k{i}", is_repeat=repeat, first_seen=DAY1)
        for i, rating in enumerate((5, 4, 2)):
            SurveyAnswer.objects.create(day=NOV24, visitor_hash=f"k{i}", rating=rating)

    def report(self, user=None, start=date(2026, 11, 20), end=NOV24):
        return kpi.kpi_report(user or self.alice, municipality=self.municipality, start=start, end=end)

    def day(self, report, day):
        return next(d for d in report["days"] if d["date"] == day.isoformat())


class KpiReportTests(KpiFiguresTestCase):
    def test_it_gives_every_day_of_the_range(self):
        self.assertEqual([d["date"] for d in self.report()["days"]],
                         ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"])

    def test_it_sums_page_views_by_group(self):
        today = self.day(self.report(), NOV24)
        self.assertEqual(today["page_views"], 15)
        self.assertEqual(today["page_views_by_group"]["shelters"], 5)

    def test_it_counts_unique_visitors_and_the_repeat_rate(self):
        today = self.day(self.report(), NOV24)
        self.assertEqual((today["unique_visitors"], today["repeat_visitors"], today["repeat_rate"]), (4, 2, 0.5))

    def test_it_reads_folded_days_from_the_daily_counts(self):
        past = self.day(self.report(), date(2026, 11, 20))
        self.assertEqual((past["unique_visitors"], past["repeat_rate"]), (4, 0.25))

    def test_it_averages_the_survey(self):
        today = self.day(self.report(), NOV24)
        self.assertEqual((today["survey_answers"], today["survey_average"]), (3, 3.67))

    def test_it_totals_the_range(self):
        totals = self.report()["totals"]
        self.assertEqual((totals["page_views"], totals["visitor_days"], totals["repeat_rate"]), (22, 8, 0.375))

    def test_it_gives_no_rate_for_a_day_without_visitors(self):
        quiet = self.day(self.report(), date(2026, 11, 21))
        self.assertEqual((quiet["repeat_rate"], quiet["survey_average"]), (None, None))

    def test_it_counts_public_alerts_by_local_day(self):
        with at(datetime(2026, 11, 23, 16, 30, tzinfo=UTC)):  # 01:30 on the 24th in Tokyo
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                   hazard="landslide", reason="土砂災害")
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["aikawa"]], level=5,
                                   hazard="tsunami", reason="訓練", is_drill=True)
        self.assertEqual(Alert.objects.count(), 2)
        report = self.report()
        self.assertEqual((self.day(report, NOV24)["alerts_published"],
                          self.day(report, date(2026, 11, 23))["alerts_published"]), (1, 0))

    def test_it_counts_the_notices_published_by_local_day(self):
        with at(datetime(2026, 11, 23, 16, 30, tzinfo=UTC)):  # 01:30 on the 24th in Tokyo
            notice = create_notice(acting_user=self.alice, municipality=self.municipality, category=CATEGORY,
                                   versions={"ja": ("給水のお知らせ", "両津支所で給水します")})
            publish_notice(acting_user=self.alice, notice=notice)
            create_notice(acting_user=self.alice, municipality=self.municipality, category=CATEGORY,
                          versions={"ja": ("下書き", "まだ")})
        report = self.report()
        self.assertEqual((self.day(report, NOV24)["notices_published"], report["totals"]["notices_published"]),
                         (1, 1))

    def test_it_gives_hq_viewers_the_report(self):
        self.assertIsNotNone(self.report(self.viewer))

    def test_it_gives_others_nothing(self):
        for user in (self.bob, self.carol, self.dave, self.eve):
            self.assertIsNone(self.report(user))

    def test_it_pins_the_query_count(self):
        self.assertTrue(may_view_kpi(self.alice))  # memberships are read once per request, before
        with self.assertNumQueries(5 + 5):  # five, and one a day for the notices
            self.report()


@with_portal_staff
class KpiPageTests(KpiFiguresTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()

    def test_it_shows_the_figures(self):
        self.login(self.viewer)
        response = self.client.get(reverse("portal_staff:kpi"), {"start": "2026-11-20", "end": "2026-11-24"})
        self.assertContains(response, '<time datetime="2026-11-24">')
        self.assertContains(response, "3.67")

    def test_it_defaults_to_the_last_30_days(self):
        self.login(self.alice)
        with at(DAY1):
            report = self.client.get(reverse("portal_staff:kpi")).context["report"]
        self.assertEqual((report["start"], report["end"], len(report["days"])), ("2026-10-26", "2026-11-24", 30))

    def test_it_explains_a_reversed_range(self):
        self.login(self.alice)
        response = self.client.get(reverse("portal_staff:kpi"), {"start": "2026-11-24", "end": "2026-11-01"})
        self.assertContains(response, 'class="errorlist"')

    def test_it_gives_the_figures_as_json(self):
        self.login(self.alice)
        data = self.client.get(reverse("portal_staff:kpi_json"), {"start": "2026-11-20", "end": "2026-11-24"}).json()
        self.assertEqual(data["totals"]["survey_average"], 3.67)
        self.assertEqual(data["days"][-1]["unique_visitors"], 4)

    def test_it_refuses_a_range_over_a_year_in_json(self):
        self.login(self.alice)
        response = self.client.get(reverse("portal_staff:kpi_json"), {"start": "2024-01-01", "end": "2026-11-24"})
        self.assertEqual(response.status_code, 400)

    def test_it_pins_the_query_count_of_the_json(self):
        self.login(self.alice)
        # session, user, municipality, memberships, then the report's five and one a day for the notices
        with self.assertNumQueries(4 + 5 + 5):
            self.client.get(reverse("portal_staff:kpi_json"), {"start": "2026-11-20", "end": "2026-11-24"})

    def test_it_refuses_outsiders(self):
        for user in (self.bob, self.carol, self.dave, self.eve):
            self.login(user)
            self.assertEqual(self.client.get(reverse("portal_staff:kpi")).status_code, 404)
            self.assertEqual(self.client.get(reverse("portal_staff:kpi_json")).status_code, 404)

    def test_it_refuses_the_anonymous_public(self):
        self.assertEqual(self.client.get(reverse("portal_staff:kpi_json")).status_code, 404)
        self.assertEqual(self.client.get(reverse("portal_staff:kpi")).status_code, 302)

    def test_it_does_not_count_its_own_views(self):
        self.login(self.alice)
        self.client.get(reverse("portal_staff:kpi"), HTTP_USER_AGENT=PHONE, REMOTE_ADDR=IP)
        self.assertEqual(PageViewCount.objects.filter(day__gt=NOV24).count(), 0)
        self.assertEqual(sum(PageViewCount.objects.values_list("views", flat=True)), 22)
