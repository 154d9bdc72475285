"""Issue 14 items 1 and 10: an evacuation order in force leads every public page, in every language, with its
level, what to do, the districts, the time, the reason staff typed and the shelters open there (address and
directions); 「いますべきこと」 shows without disaster mode, the survey hides, and pages left open learn of it."""

import re

from django.utils import timezone

from toki.alerts.tests.order_pages import issue_through_pages
from toki.hq.actions import open_incident
from toki.portal.actions import set_disaster_mode
from toki.portal.static_site.build import build_snapshot
from toki.shelters.actions.openings import open_shelter
from toki.shelters.models import Shelter
from toki.test import BaseTestCase

REASON = "加茂湖周辺の斜面で崖崩れの危険が高まっています。"
PUBLIC_PAGES = ("/", "/warnings/", "/tourist/", "/shelters/", "/lifelines/", "/notices/", "/posts/", "/prepare/")


def card_of(page: str) -> str:
    """The order region's text (tags dropped), or "" when the page has none."""
    match = re.search(r'<section class="order-cards".*?</section>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))) if match else ""


class OrderCardTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ryotsu, aikawa = cls.districts["ryotsu"], cls.districts["aikawa"]
        cls.school = Shelter.objects.create(
            common_id="E1522400009901", municipality=cls.municipality, district=ryotsu, name="両津小学校体育館",
            address="新潟県佐渡市両津夷1", lat=38.0790, lon=138.4370, is_designated_shelter=True,
            hazard_landslide=True, source="gsi-geojson")
        cls.hall = Shelter.objects.create(
            common_id="E1522400009902", municipality=cls.municipality, district=ryotsu, name="両津公民館",
            address="新潟県佐渡市両津湊2", lat=38.0800, lon=138.4400, is_designated_shelter=True,
            hazard_landslide=False, source="gsi-geojson")
        cls.elsewhere = Shelter.objects.create(
            common_id="E1522400009903", municipality=cls.municipality, district=aikawa, name="相川中学校体育館",
            address="新潟県佐渡市相川1", lat=38.0300, lon=138.2400, is_designated_shelter=True,
            source="gsi-geojson")

    def issue(self, level=4, hazard="landslide", reason=REASON, **extra):
        """Issue through the real order page, as HQ staff do."""
        self.login(self.alice)
        response = issue_through_pages(self.client, districts=[self.districts["ryotsu"].pk], level=level,
                                       hazard=hazard, reason=reason, **extra)
        self.assertEqual(response.status_code, 302)
        self.client.logout()

    def open_shelters(self, *shelters):
        incident = open_incident(acting_user=self.alice, municipality=self.municipality, name="大雨",
                                 kind="heavy_rain")
        for shelter in shelters:
            open_shelter(acting_user=self.alice, shelter=shelter, incident=incident)

    def page(self, path="/", language="ja") -> str:
        self.client.cookies["toki_language"] = language
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_it_leads_every_public_page_with_the_order(self):
        self.issue()
        for path in PUBLIC_PAGES:
            with self.subTest(path=path):
                page = self.page(path)
                card = card_of(page)
                for text in ("避難指示（警戒レベル４）", "危険な場所から全員避難", "両津", "土砂災害", REASON):
                    self.assertIn(text, card)
                self.assertLess(page.index('class="order-cards"'), page.index("<h1"))

    def test_it_says_when_the_order_was_issued(self):
        self.issue()
        now = timezone.localtime()
        self.assertIn(f"{now.day}日 {now.hour}時", card_of(self.page()))

    def test_it_words_the_action_of_each_level(self):
        for level, action in ((3, "危険な場所から高齢者等は避難"), (5, "直ちに安全確保")):
            with self.subTest(level=level):
                self.issue(level=level)
                self.assertIn(action, card_of(self.page()))
                self.assertIn(f'class="order-card level-{level}"', self.page())

    def test_it_words_the_order_in_every_language(self):
        self.issue()
        expected = {
            "ja-easy": ("あぶない 場所（ばしょ）から みんな にげて ください", "市（し）の 文（ぶん）"),
            "en": ("Everyone must evacuate from dangerous places.", "Ryotsu (両津)"),
            "zh-hans": ("危险场所内的所有人请避难", "市政府原文（日语）"),
            "ko": ("위험한 장소에서 모두 대피하십시오", "시 원문(일본어)"),
        }
        for language, texts in expected.items():
            with self.subTest(language=language):
                card = card_of(self.page(language=language))
                for text in (*texts, REASON):
                    self.assertIn(text, card)

    def test_it_gives_chinese_and_korean_readers_no_english(self):
        self.issue()
        for language in ("zh-hans", "ko"):
            with self.subTest(language=language):
                card = card_of(self.page(language=language))
                self.assertEqual(re.findall(r"[A-Za-z]{4,}", card.replace("Ryotsu", "")), [])

    def test_it_lists_the_open_shelters_of_the_district_with_address_and_directions(self):
        self.open_shelters(self.hall, self.school, self.elsewhere)
        self.issue()
        page = self.page()
        card = card_of(page)
        self.assertIn("新潟県佐渡市両津夷1", card)
        self.assertNotIn("相川中学校体育館", card)  # open, but not in the district of the order
        self.assertLess(card.index("両津小学校体育館"), card.index("両津公民館"))  # designated for landslides first
        self.assertIn("土砂災害の避難先には指定されていません", card)  # said of the hall only
        self.assertEqual(card.count("指定されていません"), 1)
        self.assertIn("https://www.google.com/maps/dir/?api=1&amp;destination=38.079000,138.437000", page)

    def test_it_says_when_no_shelter_is_open_in_the_district(self):
        self.issue()
        self.assertIn("市はまだ避難所を開いていません", card_of(self.page()))

    def test_it_shows_what_to_do_now_without_disaster_mode(self):
        self.assertNotIn("いますべきこと", self.page())
        self.issue()
        self.assertIn("いますべきこと", self.page())

    def test_it_hides_the_survey_while_an_order_is_in_force(self):
        self.assertIn('id="survey"', self.page())
        self.issue()
        self.assertNotIn('id="survey"', self.page())

    def test_it_hides_the_survey_in_disaster_mode(self):
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="高台へ")
        self.assertNotIn('id="survey"', self.page())

    def test_it_never_shows_a_drill(self):
        self.issue(drill=True)
        self.assertEqual(card_of(self.page()), "")

    def test_it_leaves_staff_pages_to_their_own_views(self):
        self.issue()
        self.login(self.alice)
        self.assertEqual(card_of(self.client.get("/alerts/orders/").content.decode()), "")

    def test_it_is_gone_once_lifted(self):
        self.issue()
        self.login(self.alice)
        order = self.client.get("/alerts/orders/").context["groups"][0]["orders"][0]
        self.client.post("/alerts/orders/lift/", {"orders": [order.pk], "reason": "危険が去りました"})
        self.client.logout()
        self.assertEqual(card_of(self.page()), "")

    def test_it_leads_the_light_version_in_every_language(self):
        self.open_shelters(self.school)
        self.issue()
        files = build_snapshot(timezone.now())
        pages = (("ja/index.html", "危険な場所から全員避難"), ("ja/shelters.html", "危険な場所から全員避難"),
                 ("en/warnings.html", "Everyone must evacuate"), ("ko/tourist.html", "모두 대피"),
                 ("zh-hans/lifelines.html", "所有人请避难"))
        for path, action in pages:
            with self.subTest(path=path):
                card = card_of(files[path].decode())
                self.assertIn(action, card)
                self.assertIn(REASON, card)
                self.assertIn("新潟県佐渡市両津夷1", card)


class BannerTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True,
                          message="高台へ避難してください", message_en="Go to high ground")

    def banner(self, language: str) -> str:
        self.client.cookies["toki_language"] = language
        page = self.client.get("/").content.decode()
        match = re.search(r'<div class="disaster-banner".*?</div>', page, re.S)
        self.assertIsNotNone(match)
        return match.group(0) if match else ""

    def test_it_says_what_the_mode_means_instead_of_the_jargon(self):
        banner = self.banner("ja")
        self.assertIn("市からの緊急のお知らせ", banner)
        self.assertNotIn("災害モード", banner)

    def test_it_gives_chinese_and_korean_readers_their_heading_and_marked_originals(self):
        for language, heading in (("zh-hans", "市政府紧急通知"), ("ko", "시의 긴급 안내")):
            with self.subTest(language=language):
                banner = self.banner(language)
                self.assertIn(heading, banner)
                self.assertIn('<span lang="ja">高台へ避難してください</span>', banner)
                self.assertIn('<span lang="en">Go to high ground</span>', banner)
                self.assertNotIn("Disaster mode", banner)


class LiveVersionTests(BaseTestCase):
    def version(self) -> str:
        response = self.client.get("/live.json")
        self.assertEqual(response["Cache-Control"], "public, max-age=5")
        return response.json()["version"]

    def test_it_changes_when_an_order_is_issued(self):
        before = self.version()
        self.assertEqual(self.version(), before)
        self.login(self.alice)
        issue_through_pages(self.client, districts=[self.districts["ryotsu"].pk], level=4, hazard="flood",
                            reason="川の水位が上がっています")
        self.client.logout()
        self.assertNotEqual(self.version(), before)

    def test_it_changes_when_disaster_mode_is_switched(self):
        before = self.version()
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="高台へ")
        self.assertNotEqual(self.version(), before)

    def test_public_pages_carry_the_version_they_show_and_the_script(self):
        page = self.client.get("/").content.decode()
        self.assertIn(f'data-version="{self.version()}"', page)
        self.assertIn("js/live-refresh.js", page)

    def test_it_costs_one_query(self):
        self.version()
        with self.assertNumQueries(2):  # the default municipality, the public state
            self.version()
