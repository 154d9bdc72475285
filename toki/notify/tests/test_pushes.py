"""Every category a subscriber can choose arrives (issue 21 item 4): a shelter opened by staff, a lifeline status
entered by its operator and a notice published by the city, each through its staff URL, reach on the local LINE
server exactly the subscribers of that district and category, in their language, drills only the test audience.

Each producing app builds its own Announcement (shelters/lifelines/notices `announce.py`) from its own event; the
tasks run as a worker would, right after the request's commit."""

from django.test import override_settings
from django.urls import reverse

from toki.accounts.models import User
from toki.hq.actions import open_incident
from toki.lifelines.models import Lifeline
from toki.lifelines.tests.helpers import LifelinesMixin
from toki.linebot.tests.line_webhook_support import LineWebhookTestCase
from toki.notify.line.localserver import LocalLineServer
from toki.notify.models import Category, Notification
from toki.notify.tests.helpers import subscriber
from toki.shelters.models import Shelter

SITE = "https://bousai.example.jp"


@override_settings(NOTIFY_SEND_THREADS=1)  # the test case's transaction is visible to its own connection only
class PushTestCase(LineWebhookTestCase):
    """Subscribers of 両津 and 相川 in several languages and categories, one of the whole city, one of the test
    audience (who gets real messages too), one who left."""

    category: str = ""
    line: LocalLineServer
    alice: User

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        m, d = cls.municipality, cls.districts
        cls.ryotsu_ja = subscriber(m, districts=[d["ryotsu"]], categories=[cls.category])
        cls.ryotsu_en = subscriber(m, districts=[d["ryotsu"], d["ogi"]], language="en", categories=[cls.category])
        cls.city_ko = subscriber(m, language="ko", categories=[cls.category])  # the whole municipality
        cls.ryotsu_other_category = subscriber(m, districts=[d["ryotsu"]], categories=[Category.WARNINGS])
        cls.aikawa_ja = subscriber(m, districts=[d["aikawa"]], categories=[cls.category])
        cls.tester = subscriber(m, test_audience=True, categories=[cls.category])  # city staff, the whole city
        cls.gone = subscriber(m, districts=[d["ryotsu"]], active=False, categories=[cls.category])

    def post(self, url: str, data: dict | None = None):
        """A staff request, with the tasks its commit enqueues run as a worker would."""
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, data or {})

    def pushed(self) -> dict[str, list[str]]:
        """user id → the texts of the multicasts the local LINE server accepted for them."""
        self.assertEqual(self.line.invalid_requests, [])
        return {user: [m["text"] for d in deliveries if d.operation == "multicast" for m in d.messages or ()]
                for user, deliveries in self.line.received.items()}

    def assert_pushed_to(self, *subscribers) -> dict[str, str]:
        """Exactly `subscribers` got one message each; returns subscriber language → text."""
        pushed = self.pushed()
        self.assertEqual(sorted(pushed), sorted(s.address for s in subscribers))
        self.assertTrue(all(len(texts) == 1 for texts in pushed.values()), pushed)
        return {s.language: pushed[s.address][0] for s in subscribers}


class ShelterOpeningPushTests(PushTestCase):
    category = Category.SHELTERS

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.shelter = Shelter.objects.create(
            common_id="E1522400009111", municipality=cls.municipality, district=cls.districts["ryotsu"],
            name="両津小学校体育館", address="佐渡市両津夷1", lat=38.079, lon=138.437, is_designated_shelter=True,
            hazard_flood=True, hazard_landslide=True, source="gsi-geojson")

    def open_shelter(self, *, is_drill=False):
        incident = open_incident(acting_user=self.alice, municipality=self.municipality, name="大雨",
                                 kind="heavy_rain", is_drill=is_drill)
        self.login(self.alice)
        response = self.post(reverse("shelters_open"), {"shelter": self.shelter.pk, "incident": incident.pk})
        self.assertEqual(response.status_code, 302)

    def test_it_pushes_an_opening_to_the_districts_shelter_subscribers_in_their_language(self):
        self.open_shelter()
        texts = self.assert_pushed_to(self.ryotsu_ja, self.ryotsu_en, self.city_ko, self.tester)
        self.assertEqual(texts["ja"].splitlines()[0], "【避難所開設】両津小学校体育館")  # the lock-screen line
        self.assertIn("住所：佐渡市両津夷1", texts["ja"])
        self.assertIn("対応する災害：洪水", texts["ja"])
        self.assertTrue(texts["ja"].endswith(f"\n{SITE}/shelters/"))
        self.assertEqual(texts["en"].splitlines()[0], "Shelter opened: 両津小学校体育館")
        self.assertIn("Designated for: Flood", texts["en"])
        self.assertTrue(texts["en"].endswith(f"\n{SITE}/language/en/?next=/shelters/"))
        self.assertEqual(texts["ko"].splitlines()[0], "[대피소 개설] 両津小学校体育館")
        self.assertTrue(texts["ko"].endswith(f"\n{SITE}/language/ko/?next=/shelters/"))

    def test_it_pushes_a_drill_opening_to_the_test_audience_only_marked_as_a_drill(self):
        self.open_shelter(is_drill=True)
        texts = self.assert_pushed_to(self.tester)
        self.assertEqual(texts["ja"].splitlines()[0], "【訓練】【避難所開設】両津小学校体育館")
        self.assertIn("これは訓練です。", texts["ja"])
        self.assertTrue(Notification.objects.get().is_drill)

    def test_it_pushes_an_opening_once_however_often_its_shelter_changes(self):
        self.open_shelter()
        opening = self.shelter.openings.get()
        self.post(reverse("shelters_set_status", args=[opening.pk]), {"status": "full"})
        self.post(reverse("shelters_confirm", args=[opening.pk]))
        self.assert_pushed_to(self.ryotsu_ja, self.ryotsu_en, self.city_ko, self.tester)
        self.assertEqual(Notification.objects.count(), 1)


class LifelinePushTests(LifelinesMixin, PushTestCase):
    category = Category.LIFELINES
    pat: User
    ferry: Lifeline
    power: Lifeline

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()  # the ferry is 両津's; the power line has no district (the whole city)

    def report_through_url(self, lifeline, status: str, detail: str = ""):
        self.login(self.pat if lifeline == self.ferry else self.alice)
        response = self.post(reverse("lifelines:update_status", args=[lifeline.pk]), {
            "status": status, "detail": detail, "source": "佐渡汽船", "source_url": "",
            "as_of": "2026-01-10T08:30", "expected_restoration_at": ""})
        self.assertRedirects(response, reverse("lifelines:manage"))

    def test_it_pushes_a_suspension_to_the_lifelines_district_subscribers_in_their_language(self):
        self.report_through_url(self.ferry, "suspended", "欠航（高波のため）")
        texts = self.assert_pushed_to(self.ryotsu_ja, self.ryotsu_en, self.city_ko, self.tester)
        self.assertEqual(texts["ja"].splitlines()[0], "【船】佐渡汽船 両津–新潟 カーフェリー：× 運休・停止")
        self.assertIn("欠航（高波のため）", texts["ja"])
        self.assertTrue(texts["ja"].endswith(f"\n{SITE}/lifelines/"))
        self.assertEqual(texts["en"].splitlines()[0], "Ferries: 佐渡汽船 両津–新潟 カーフェリー — × Suspended")
        self.assertTrue(texts["en"].endswith(f"\n{SITE}/language/en/?next=/lifelines/"))

    def test_it_pushes_a_change_once_and_a_repeat_never(self):
        self.report_through_url(self.ferry, "suspended")
        self.report_through_url(self.ferry, "suspended", "変わらず欠航")  # the same status again: not news
        self.assert_pushed_to(self.ryotsu_ja, self.ryotsu_en, self.city_ko, self.tester)
        self.line.reset()
        self.report_through_url(self.ferry, "normal")  # back in service: news
        texts = self.assert_pushed_to(self.ryotsu_ja, self.ryotsu_en, self.city_ko, self.tester)
        self.assertIn("○ 通常", texts["ja"].splitlines()[0])

    def test_it_pushes_a_lifeline_of_the_whole_city_to_every_district(self):
        self.report_through_url(self.power, "partly_disrupted", "一部地域で停電")
        self.assert_pushed_to(self.ryotsu_ja, self.ryotsu_en, self.city_ko, self.aikawa_ja, self.tester)

    def test_it_pushes_nothing_for_a_first_report_that_all_is_normal(self):
        self.report_through_url(self.ferry, "normal")
        self.assertEqual(self.pushed(), {})


class NoticePushTests(PushTestCase):
    category = Category.NOTICES

    def publish(self, districts=("ryotsu",), **versions):
        self.login(self.alice)
        data = {"category": "life", "title_ja": "給水のお知らせ", "body_ja": "両津支所で給水を行います。",
                "districts": [self.districts[c].pk for c in districts], **versions}
        self.post(reverse("notices:manage_create"), data)
        notice = self.municipality.notices.get()
        self.post(reverse("notices:manage_publish", args=[notice.pk]))
        return notice

    def test_it_pushes_a_published_notice_to_its_districts_subscribers_in_their_language(self):
        notice = self.publish(title_en="Water supply", body_en="Water is supplied at the Ryotsu branch office.")
        texts = self.assert_pushed_to(self.ryotsu_ja, self.ryotsu_en, self.city_ko, self.tester)
        self.assertEqual(texts["ja"].splitlines()[0], "【お知らせ】給水のお知らせ")
        self.assertIn("両津支所で給水を行います。", texts["ja"])
        self.assertTrue(texts["ja"].endswith(f"\n{SITE}/notices/{notice.pk}/"))
        self.assertEqual(texts["en"].splitlines()[0], "[City notice] Water supply")
        self.assertTrue(texts["en"].endswith(f"\n{SITE}/language/en/?next=/notices/{notice.pk}/"))
        # No Korean version: the Japanese text, framed in Korean.
        self.assertEqual(texts["ko"].splitlines()[0], "[시 공지] 給水のお知らせ")

    def test_it_pushes_a_notice_once_however_often_it_is_edited_or_published(self):
        notice = self.publish()
        self.post(reverse("notices:manage_unpublish", args=[notice.pk]))
        self.post(reverse("notices:manage_publish", args=[notice.pk]))
        self.assert_pushed_to(self.ryotsu_ja, self.ryotsu_en, self.city_ko, self.tester)

    def test_it_pushes_a_notice_for_the_whole_city_to_every_district(self):
        self.publish(districts=())
        self.assert_pushed_to(self.ryotsu_ja, self.ryotsu_en, self.city_ko, self.aikawa_ja, self.tester)
