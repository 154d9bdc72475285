"""The alert state machine on real telegrams of both warning systems, drills, corrections and cancellations."""

from toki.accounts.models import AuditEvent
from toki.alerts.actions.state import apply_telegram
from toki.alerts.models import Alert, WarningState
from toki.alerts.tests.telegram_fixtures import SAMPLES, sado_warning, sample_text, store
from toki.test import BaseTestCase

SADO = "1522400"


def kinds_in_force(*, drill=False) -> set[str]:
    return set(WarningState.objects.filter(area_code=SADO, is_drill=drill).values_list("kind_code", flat=True))


class WarningStateTests(BaseTestCase):
    def apply(self, text, name):
        return apply_telegram(store(text, name).pk)

    def test_it_makes_an_alert_and_the_warnings_in_force(self):
        alert = self.apply(sado_warning(), "t1_VPWW54.xml")
        self.assertEqual((alert.source, alert.category, alert.status, alert.msg_type),
                         ("jma", "weather", "actual", "alert"))
        self.assertEqual(alert.severity, "Severe")  # 大雨警報
        self.assertEqual(kinds_in_force(), {"03", "14", "15", "16"})

    def test_it_lifts_kinds_a_newer_snapshot_no_longer_lists(self):
        self.apply(sado_warning(), "t1_VPWW54.xml")
        self.apply(sado_warning("海士町", report_at="2024-11-02T14:00:00+09:00"), "t2_VPWW54.xml")
        self.assertEqual(kinds_in_force(), {"14", "15", "16"})  # 大雨警報 gone

    def test_it_never_lets_an_older_telegram_overwrite_a_newer_state(self):
        self.apply(sado_warning(), "t1_VPWW54.xml")
        self.apply(sado_warning("海士町", report_at="2024-11-02T12:00:00+09:00"), "t0_VPWW54.xml")
        self.assertEqual(kinds_in_force(), {"03", "14", "15", "16"})

    def test_it_lets_a_correction_replace_the_state_of_the_same_time(self):
        self.apply(sado_warning(), "t1_VPWW54.xml")
        alert = self.apply(sado_warning("海士町", info_type="訂正"), "t1c_VPWW54.xml")
        self.assertEqual(alert.msg_type, "update")
        self.assertEqual(kinds_in_force(), {"14", "15", "16"})

    def test_it_withdraws_the_state_of_a_cancelled_telegram(self):
        first = self.apply(sado_warning(), "t1_VPWW54.xml")
        cancel = self.apply(sado_warning(report_at="2024-11-02T13:30:00+09:00", info_type="取消"), "t1x_VPWW54.xml")
        self.assertEqual(cancel.msg_type, "cancel")
        self.assertIn(first, cancel.references.all())
        self.assertEqual(kinds_in_force(), set())

    def test_it_keeps_drills_apart_from_the_public_state(self):
        self.apply(sado_warning(), "t1_VPWW54.xml")
        drill = self.apply(sado_warning("海士町", report_at="2024-11-02T14:00:00+09:00", status="訓練"),
                           "d1_VPWW54.xml")
        self.assertEqual(drill.status, "exercise")
        self.assertFalse(drill.is_public)
        self.assertEqual(kinds_in_force(), {"03", "14", "15", "16"})
        self.assertEqual(kinds_in_force(drill=True), {"14", "15", "16"})

    def test_it_records_test_telegrams_without_state(self):
        alert = self.apply(sado_warning(status="試験"), "x1_VPWW54.xml")
        self.assertEqual(alert.status, "test")
        self.assertEqual(WarningState.objects.count(), 0)

    def test_it_applies_a_telegram_once(self):
        telegram = store(sado_warning(), "t1_VPWW54.xml")
        first = apply_telegram(telegram.pk)
        self.assertEqual(apply_telegram(telegram.pk), first)
        self.assertEqual(Alert.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="alerts.apply_telegram").count(), 1)

    def test_it_ignores_telegrams_that_do_not_concern_the_municipality(self):
        telegram = store(sample_text("15_17_01_250123_VPWW54.xml"), "shimane_VPWW54.xml")
        self.assertIsNone(apply_telegram(telegram.pk))
        telegram.refresh_from_db()
        self.assertIsNotNone(telegram.processed_at)

    def test_it_keeps_the_two_warning_systems_side_by_side(self):
        self.apply(sado_warning(), "t1_VPWW54.xml")
        # SYNTHETIC: 稚内市 of a real R06 VPWW56 (土砂) renamed to 佐渡市.
        r06 = sample_text("15_16_01_241031_VPWW56.xml").replace("<Name>稚内市</Name>", "<Name>佐渡市</Name>")
        alert = self.apply(r06.replace("0121400", SADO), "r1_VPWW56.xml")
        self.assertEqual(alert.level, 4)
        self.assertEqual(alert.severity, "Severe")
        by_system = {}
        for system, kind in WarningState.objects.filter(area_code=SADO).values_list("system", "kind_code"):
            by_system.setdefault(system, set()).add(kind)
        self.assertEqual(by_system, {"VPWW54": {"03", "14", "15", "16"}, "VPWW56": {"49"}})


class TsunamiStateTests(BaseTestCase):
    """The official 訓練 series for 佐渡 (reference §5): 津波注意報 issued, then lifted."""

    def apply(self, name):
        return apply_telegram(store((SAMPLES / name).read_text(encoding="utf-8"), name).pk)

    def test_it_follows_the_sado_tsunami_drill_from_issue_to_lifting(self):
        issued = self.apply("32-39_12_02_250206_VTSE41.xml")
        self.assertEqual((issued.category, issued.status), ("tsunami", "exercise"))
        state = WarningState.objects.get(area_code="341", is_drill=True)
        self.assertEqual(state.kind_name, "津波注意報")
        self.apply("32-39_12_13_250206_VTSE41.xml")
        self.assertFalse(WarningState.objects.filter(area_code="341", kind_name="津波注意報").exists())
        self.assertFalse(WarningState.objects.filter(is_drill=False).exists())

    def test_it_records_a_real_tsunami_forecast_for_sado(self):
        alert = self.apply("32-39_11_13_250206_VTSE41.xml")
        self.assertEqual(alert.status, "actual")
        self.assertTrue(WarningState.objects.filter(area_code="341", is_drill=False).exists())

    def test_it_makes_an_earthquake_alert_without_state(self):
        alert = self.apply("32-39_11_05_240613_VXSE53.xml")
        self.assertEqual(alert.category, "earthquake")
        self.assertEqual(WarningState.objects.count(), 0)
