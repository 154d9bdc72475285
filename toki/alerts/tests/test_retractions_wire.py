"""Retractions (取消) and what is in force, fed as JMA feeds them: the local feed server → poll_jma → the
process_telegram task → state → what the portal, the API and the LINE outbox show. No fixture sets `concerns`,
`processed_at` or a state: only telegrams go in (issue 12, items 1 and 2)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from toki.alerts.models import Alert, Telegram
from toki.alerts.tests import sado_telegrams as sado
from toki.alerts.tests.jma_feed_server import FeedServerMixin
from toki.notify.models import Notification
from toki.test import BaseTestCase

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
FEED = "/developer/xml/feed/eqvol.xml"
ADVISORY_SENT = datetime(2015, 11, 13, 20, 56, tzinfo=UTC)  # the sample's 05:56 JST


@override_settings(TASKS=IMMEDIATE_TASKS)
class WireTestCase(FeedServerMixin, BaseTestCase):
    """Telegrams published on the local feed server and read by `poll_jma --once`, tasks run on commit."""

    def setUp(self):
        super().setUp()
        self.entries_served = []
        # The samples are from 2015: replay them as if the advisory had been sent ten minutes ago.
        self.delta = timezone.now() - timedelta(minutes=10) - ADVISORY_SENT

    def publish(self, name: str, body: bytes) -> None:
        updated = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=len(self.entries_served))
        self.entries_served.append(self.server.telegram(name, updated, name=name, body=sado.retimed(body, self.delta)))
        self.server.publish_feed(FEED, self.entries_served)

    def poll(self) -> None:
        with override_settings(TOKI_JMA_FEEDS=[self.server.url(FEED)], TOKI_JMA_LONG_FEEDS=[]), \
                self.captureOnCommitCallbacks(execute=True):
            call_command("poll_jma", "--once", "--min-gap", "0")

    def deliver(self, name: str, body: bytes) -> None:
        self.publish(name, body)
        self.poll()

    def current(self) -> dict:
        return self.client.get("/api/v1/alerts/current").json()

    def home(self, language: str = "ja") -> str:
        self.client.cookies["toki_language"] = language
        return self.client.get("/").content.decode()

    def notified(self) -> list[tuple[str, str]]:
        return list(Notification.objects.order_by("pk").values_list("kind", "title"))


class TsunamiAdvisoryInForceTests(WireTestCase):
    def test_it_shows_a_tsunami_advisory_for_sado_on_the_home_page_in_japanese(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        page = self.home("ja")
        self.assertIn("津波注意報", page)
        self.assertNotIn("発令中の避難情報・警報はありません", page)

    def test_it_shows_a_tsunami_advisory_for_sado_on_the_home_page_in_english(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        page = self.home("en")
        self.assertIn("Tsunami Advisory for Sado", page)
        self.assertNotIn("No evacuation order or warning received by this site is in force.", page)

    def test_it_lists_the_advisory_once_in_the_current_api(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        warnings = self.current()["warnings"]
        self.assertEqual([(w["area_code"], w["kind_name"]) for w in warnings], [("341", "津波注意報")])

    def test_it_shows_nothing_in_force_once_the_advisory_is_lifted(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        self.deliver("lifted.xml", sado.tsunami_advisory_lifted())
        self.assertEqual(self.current()["warnings"], [])
        self.assertIn("発令中の避難情報・警報はありません", self.home("ja"))


class RetractionTests(WireTestCase):
    def test_it_takes_a_retracted_advisory_out_of_force(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        self.deliver("retraction.xml", sado.retraction())
        self.assertEqual(self.current()["warnings"], [])
        self.assertIn("発令中の避難情報・警報はありません", self.home("ja"))

    def test_it_stores_a_retraction_without_areas_as_concerning_the_municipality(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        self.deliver("retraction.xml", sado.retraction())
        retraction = Telegram.objects.get(url__endswith="retraction.xml")
        self.assertTrue(retraction.concerns)
        self.assertIsNotNone(retraction.processed_at)

    def test_it_tells_people_the_advisory_was_withdrawn(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        self.deliver("retraction.xml", sado.retraction())
        self.assertEqual([kind for kind, _title in self.notified()], ["new", "cancel"])
        cancel = Alert.objects.get(msg_type=Alert.MsgType.CANCEL)
        detail = self.client.get(f"/api/v1/alerts/{cancel.pk}").json()
        self.assertIn("取り消", detail["title"] + detail["body"])

    def test_it_ignores_a_retraction_of_a_telegram_it_never_received(self):
        self.deliver("retraction.xml", sado.retraction())
        self.assertFalse(Alert.objects.exists())
        self.assertEqual(self.notified(), [])
        self.assertFalse(Telegram.objects.get(url__endswith="retraction.xml").concerns)

    def test_it_keeps_out_of_force_a_telegram_whose_retraction_arrived_first(self):
        self.deliver("retraction.xml", sado.retraction())
        self.deliver("advisory.xml", sado.tsunami_advisory())
        self.assertEqual(self.current()["warnings"], [])
        self.assertIn("発令中の避難情報・警報はありません", self.home("ja"))
        self.assertEqual(self.notified(), [])  # nobody was told of it, so nobody is told it was withdrawn
        cancel = Alert.objects.get(msg_type=Alert.MsgType.CANCEL)
        self.assertEqual(list(cancel.references.values_list("type_code", flat=True)), ["VTSE41"])

    def test_it_does_not_withdraw_a_telegram_of_another_event(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        self.deliver("retraction.xml", sado.retraction(event_id="20151114999999"))
        self.assertEqual([w["kind_name"] for w in self.current()["warnings"]], ["津波注意報"])


class TsunamiForecastTests(WireTestCase):
    def test_it_says_the_advisory_was_lifted_when_it_is_downgraded_to_a_forecast(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        self.deliver("downgrade.xml", sado.tsunami_advisory_downgraded())
        downgrade = Alert.objects.get(telegram__url__endswith="downgrade.xml")
        ja = self.client.get(f"/api/v1/alerts/{downgrade.pk}?lang=ja").json()
        en = self.client.get(f"/api/v1/alerts/{downgrade.pk}?lang=en").json()
        self.assertEqual(ja["title"], "佐渡の津波注意報を解除")
        self.assertIn("佐渡：津波予報（若干の海面変動）", ja["body"])
        self.assertEqual(en["title"], "Tsunami Advisory lifted for Sado")
        self.assertEqual([w["kind_code"] for w in self.current()["warnings"]], ["71"])

    def test_it_shows_a_slight_sea_level_change_until_its_valid_time(self):
        self.delta = timezone.now() - timedelta(minutes=10) - datetime(2011, 3, 13, 8, 58, tzinfo=UTC)
        self.deliver("forecast.xml", sado.tsunami_forecast_slight_change())
        self.assertEqual([w["kind_code"] for w in self.current()["warnings"]], ["71"])
        self.assertIn("若干の海面変動", self.home("ja"))

    def test_it_drops_a_slight_sea_level_change_past_its_valid_time(self):
        # Sent 25 hours ago: its ValidDateTime (24 h after it was sent) has passed.
        self.delta = timezone.now() - timedelta(hours=25) - datetime(2011, 3, 13, 8, 58, tzinfo=UTC)
        self.deliver("forecast.xml", sado.tsunami_forecast_slight_change())
        self.assertEqual(self.current()["warnings"], [])
        self.assertIn("発令中の避難情報・警報はありません", self.home("ja"))

    def test_it_removes_expired_states_and_says_how_many(self):
        self.delta = timezone.now() - timedelta(hours=25) - datetime(2011, 3, 13, 8, 58, tzinfo=UTC)
        self.deliver("forecast.xml", sado.tsunami_forecast_slight_change())
        out = StringIO()
        call_command("expire_warnings", stdout=out)
        self.assertEqual(out.getvalue().strip(), "expired 1 warning state(s)")
        call_command("expire_warnings", stdout=out)
        self.assertIn("expired 0 warning state(s)", out.getvalue())


class LiftingInCapTests(WireTestCase):
    """A lifting is an all-clear in CAP (issue 12 item 5): responseType AllClear, urgency Past, the lowest
    severity, and a headline that says what was lifted."""

    def cap_of(self, url_end: str) -> str:
        alert = Alert.objects.get(telegram__url__endswith=url_end)
        return self.client.get(f"/cap/alerts/{alert.pk}.xml").content.decode()

    def test_it_publishes_a_lifted_tsunami_advisory_as_an_all_clear(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        self.deliver("lifted.xml", sado.tsunami_advisory_lifted())
        document = self.cap_of("lifted.xml")
        self.assertIn("<responseType>AllClear</responseType>", document)
        self.assertNotIn("Evacuate", document)
        self.assertIn("<urgency>Past</urgency>", document)
        self.assertIn("<severity>Minor</severity>", document)
        self.assertIn("<headline>佐渡の津波注意報を解除</headline>", document)
        self.assertIn("<headline>Tsunami Advisory lifted for Sado</headline>", document)

    def test_it_publishes_a_downgrade_to_a_forecast_as_an_all_clear(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        self.deliver("downgrade.xml", sado.tsunami_advisory_downgraded())
        document = self.cap_of("downgrade.xml")
        self.assertIn("<responseType>AllClear</responseType>", document)
        self.assertIn("<severity>Minor</severity>", document)

    def test_it_publishes_the_advisory_itself_as_evacuate_and_moderate(self):
        self.deliver("advisory.xml", sado.tsunami_advisory())
        document = self.cap_of("advisory.xml")
        self.assertIn("<responseType>Evacuate</responseType>", document)
        self.assertIn("<severity>Moderate</severity>", document)


EEW_SENT = datetime(2024, 4, 17, 14, 14, 59, tzinfo=UTC)


class EarthquakeEarlyWarningTests(WireTestCase):
    """緊急地震速報（警報）is a forecast: titled as what it is, the municipality's own forecast shown, the national
    maximum never printed as if observed (issue 12 item 4)."""

    def setUp(self):
        super().setUp()
        self.delta = timezone.now() - timedelta(seconds=30) - EEW_SENT

    def detail(self, language: str) -> dict:
        alert = Alert.objects.get(type_code="VXSE43")
        return self.client.get(f"/api/v1/alerts/{alert.pk}?lang={language}").json()

    def test_it_titles_an_eew_as_an_early_warning_for_sado(self):
        self.deliver("eew.xml", sado.eew_warning())
        ja, en = self.detail("ja"), self.detail("en")
        self.assertEqual(ja["title"], "緊急地震速報（警報）：新潟県佐渡で強い揺れに警戒")
        self.assertTrue(en["title"].startswith("Earthquake Early Warning: strong shaking expected in"))
        self.assertNotIn("地震情報", ja["title"])

    def test_it_says_the_main_shaking_has_probably_arrived_in_sado(self):
        self.deliver("eew.xml", sado.eew_warning())
        body = self.detail("ja")["body"]
        self.assertIn("新潟県佐渡の予想震度：震度５弱程度", body)
        self.assertIn("すでに強い揺れ（主要動）が到達していると推測されます。", body)

    def test_it_gives_the_expected_arrival_time_in_seconds(self):
        self.deliver("eew.xml", sado.eew_warning(region="高知県西部", code="632"))
        arrival = datetime(2024, 4, 17, 14, 15, 2, tzinfo=UTC) + self.delta
        arrival = arrival.astimezone(timezone.get_default_timezone())
        self.assertIn(f"到達予想時刻：{arrival:%H:%M:%S}", self.detail("ja")["body"])

    def test_it_never_prints_the_national_maximum_as_observed(self):
        self.deliver("eew.xml", sado.eew_warning())
        en = self.detail("en")
        self.assertNotIn("Strongest shaking: ", en["body"])
        self.assertIn("Strongest shaking forecast anywhere: ", en["body"])

    def test_its_severity_follows_the_forecast_for_sado_not_the_national_maximum(self):
        self.deliver("eew.xml", sado.eew_warning(region="高知県西部", code="632"))  # 4 in Sado, 5弱 elsewhere
        self.assertEqual(Alert.objects.get(type_code="VXSE43").severity, "Moderate")
