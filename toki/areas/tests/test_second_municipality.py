"""A second municipality from its profile file alone: 輪島市 (石川県), with no code change.

toki/areas/tests/profiles/wajima.json holds 輪島市's real codes, each seen in JMA's sample telegrams
(/work/shared/data/jma/samples):
- 全国地方公共団体コード 172049 (check digit verified by load_profile: 17204 → 9); JMA city 1720400
  (二次細分区域 輪島市: 73_03_01_220210_VPRN50 Area/Code, 32-39_11_05_240613_VXSE53 City/Code);
- 府県予報区 石川県 170000 and 一次細分区域 能登 170020 (73_03_01_220210_VPRN50);
- 地震情報／細分区域 石川県能登 390 and 都道府県 石川県 17 (32-39_11_05_240613_VXSE53);
- 津波予報区 石川県能登 360 (32-39_11_13_250206_VTSE41, 32-39_12_03_250206_VTSE51);
- 津波観測点 輪島港 36020 (32-39_12_03_250206_VTSE51 Station/Code).
Its outline and district centres are approximate (test data). The telegrams go through the local feed server and
`poll_jma`; the pages are read through the URLconf in every language.
"""

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from toki.alerts.rendering import LANGUAGES, facts_from_telegram, render
from toki.alerts.tests import sado_telegrams
from toki.alerts.tests.jma_feed_server import FeedServer, FeedServerMixin, sample_bytes
from toki.alerts.tests.test_jma_samples import requires_samples, sample
from toki.areas.actions import load_profile
from toki.areas.models import Municipality
from toki.areas.terms import terms_of
from toki.areas.tests.profile_files import WAJIMA
from toki.test import BaseTransactionTestCase

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
FEED = "/developer/xml/feed/eqvol.xml"
QUAKE = "32-39_11_05_240613_VXSE53.xml"  # 輪島市 震度3 (輪島市門前町走出＊), 2011-03-11 14:46
TSUNAMI_FORECAST = "32-39_11_13_250206_VTSE41.xml"  # 石川県能登 (360): 津波予報（若干の海面変動）
TIDE_DRILL = "32-39_12_03_250206_VTSE51.xml"  # 訓練: 石川県能登 津波注意報, station 輪島港 (36020)

WAJIMA_CITY = {"ja": "輪島市", "ja-easy": "輪島市（わじまし）", "en": "Wajima City", "zh-hans": "轮岛市",
               "ko": "와지마시"}
NOTO = {"ja": "石川県能登", "ja-easy": "石川県（いしかわけん） 能登（のと）", "en": "Noto, Ishikawa Prefecture",
        "zh-hans": "石川县能登", "ko": "이시카와현 노토"}
WAJIMA_PORT = {"ja": "輪島港", "ja-easy": "輪島港（わじまこう）", "en": "Wajima Port", "zh-hans": "轮岛港",
               "ko": "와지마항"}
# How the pages name the town: local_name (Japanese pages: 輪島市; others: "Wajima City (輪島市)").
TOWN = {"ja": "輪島市", "ja-easy": "輪島市", "en": "Wajima City (輪島市)", "zh-hans": "Wajima City (輪島市)",
        "ko": "Wajima City (輪島市)"}


class WajimaProfileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.wajima = load_profile(WAJIMA)

    def test_it_loads_wajima_from_its_file_as_the_default(self):
        wajima = Municipality.objects.get(is_default=True)
        self.assertEqual((wajima.code, wajima.name, wajima.prefecture), ("172049", "輪島市", "石川県"))
        self.assertEqual(wajima.jma_codes["city"], ["1720400"])
        self.assertEqual(list(wajima.districts.values_list("name", flat=True)), ["輪島", "門前"])

    def test_its_terms_are_its_own(self):
        terms = terms_of(self.wajima)
        self.assertEqual(terms.places["city:1720400"], WAJIMA_CITY)
        self.assertEqual(terms.offices["金沢地方気象台"]["en"], "Kanazawa Local Meteorological Office")
        self.assertNotIn("city:1522400", terms.places)

    @requires_samples
    def test_it_names_wajima_port_and_noto_in_a_tsunami_drill_telegram_in_every_language(self):
        facts = facts_from_telegram(sample(TIDE_DRILL), self.wajima.jma_codes)
        for language in LANGUAGES:
            with self.subTest(language=language):
                body = render(facts, language, is_drill=True).body
                self.assertIn(NOTO[language], body)
                self.assertIn(WAJIMA_PORT[language], body)

    @requires_samples
    def test_a_profile_reloaded_with_new_names_is_rendered_with_them_at_once(self):
        facts = facts_from_telegram(sample(QUAKE), self.wajima.jma_codes)
        self.assertIn("Wajima City", render(facts, "en").title)
        data = WAJIMA.read_text(encoding="utf-8").replace('"en": "Wajima City"', '"en": "Wajima"')
        changed = Path(self.enterContext(tempfile.TemporaryDirectory())) / "wajima.json"
        changed.write_text(data, encoding="utf-8")
        load_profile(changed)
        self.assertEqual(render(facts, "en").title, "Earthquake: seismic intensity 3 in Wajima")


@requires_samples
class TermsKeptTests(BaseTransactionTestCase):
    """Outside a transaction the terms are read once per process and read again when a profile is loaded."""

    def test_it_renders_without_a_query_until_a_profile_is_reloaded(self):
        facts = facts_from_telegram(sample(QUAKE), load_profile(WAJIMA).jma_codes)
        self.assertIn("Wajima City", render(facts, "en").title)
        with self.assertNumQueries(0):
            for language in LANGUAGES:
                render(facts, language)
        with tempfile.TemporaryDirectory() as directory:
            changed = Path(directory) / "wajima.json"
            changed.write_text(WAJIMA.read_text(encoding="utf-8").replace('"ko": "와지마시"', '"ko": "와지마"'),
                               encoding="utf-8")
            load_profile(changed)
        self.assertEqual(render(facts, "ko").title, "와지마에서 진도 3의 지진")


@requires_samples
@override_settings(TASKS=IMMEDIATE_TASKS)
class WajimaPortalTests(FeedServerMixin, TestCase):
    """輪島市's telegrams read from the local feed server by `poll_jma --once`; its pages in every language."""

    server: FeedServer  # started by FeedServerMixin.setUpClass

    @classmethod
    def setUpTestData(cls):
        load_profile(WAJIMA)

    def deliver(self, *names: str) -> None:
        # The samples are from 2011: replay them as if the last had been sent ten minutes ago.
        delta = timezone.now() - timedelta(minutes=10) - datetime(2011, 3, 11, 6, 0, tzinfo=UTC)
        entries = [
            self.server.telegram(name, datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=i), name=name,
                                 body=sado_telegrams.retimed(sample_bytes(name), delta))
            for i, name in enumerate(names)
        ]
        self.server.publish_feed(FEED, entries)
        with override_settings(TOKI_JMA_FEEDS=[self.server.url(FEED)], TOKI_JMA_LONG_FEEDS=[]), \
                self.captureOnCommitCallbacks(execute=True):
            call_command("poll_jma", "--once", "--min-gap", "0")

    def page(self, path: str, language: str) -> str:
        self.client.cookies["toki_language"] = language
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_warnings_page_names_wajima_and_noto_in_every_language(self):
        self.deliver(QUAKE, TSUNAMI_FORECAST)
        for language in LANGUAGES:
            with self.subTest(language=language):
                page = self.page("/warnings/", language)
                self.assertIn(WAJIMA_CITY[language], page)
                self.assertIn(NOTO[language], page)
                self.assertNotIn("佐渡", page)

    def test_the_home_page_names_wajima_and_links_its_jma_warnings_in_every_language(self):
        for language in LANGUAGES:
            with self.subTest(language=language):
                page = self.page("/", language)
                self.assertIn(TOWN[language], page)
                self.assertIn("area_code=1720400", page)
                self.assertNotIn("1522400", page)
                self.assertNotIn("佐渡", page)
                self.assertNotIn("Sado", page)

    def test_the_visitors_and_preparedness_pages_do_not_name_sado(self):
        for path in ("/tourist/", "/prepare/"):
            for language in LANGUAGES:
                with self.subTest(path=path, language=language):
                    page = self.page(path, language)
                    self.assertNotIn("佐渡", page)
                    self.assertNotIn("Sado", page)
                    self.assertNotIn("city.sado", page)
