"""The CAP import action: concerning messages become Alerts, once; bad ones are quarantined with the reason."""

from datetime import UTC, datetime
from unittest import mock

from toki.accounts.models import AuditEvent
from toki.alerts.actions.cap import Outcome, import_cap
from toki.alerts.models import Alert, QuarantinedInput
from toki.alerts.tests.test_cap_support import (
    FAR_AWAY_POLYGON,
    area_xml,
    ferry_notice,
    geocode_notice,
    make_alert,
    oasis_example,
    requires_oasis,
)
from toki.areas.models import District, Municipality
from toki.test import BaseTestCase

SENT = "2026-11-24T10:00:00+09:00"


class ImportTest(BaseTestCase):
    def run_import(self, data: bytes, **kwargs):
        kwargs.setdefault("acting_user", self.alice)
        kwargs.setdefault("origin", "test")
        return import_cap(data, **kwargs)

    def test_it_imports_a_ferry_notice_over_ryotsu_port(self):
        result = self.run_import(ferry_notice())
        self.assertEqual(result.outcome, Outcome.IMPORTED)
        alert = Alert.objects.get()
        self.assertEqual(alert, result.alert)
        self.assertEqual((alert.source, alert.identifier), ("cap", "info@ferry.example.jp,SKK-2026-0001"))
        self.assertEqual((alert.status, alert.msg_type, alert.severity), ("actual", "alert", "Moderate"))
        self.assertEqual(alert.title, "両津港発着のカーフェリー欠航")
        self.assertEqual(alert.sent_at, datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
        self.assertEqual(alert.expires_at, datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
        self.assertEqual(alert.municipality, self.municipality)
        self.assertEqual(alert.facts["district_codes"], ["ryotsu"])
        self.assertEqual(alert.facts["cap"]["infos"][1]["headline"], "Car ferries to and from Ryotsu port cancelled")

    def test_it_imports_a_notice_with_the_municipality_geocode(self):
        result = self.run_import(geocode_notice())
        self.assertEqual(result.outcome, Outcome.IMPORTED)
        self.assertEqual(result.alert.facts["district_codes"], [])  # the whole municipality
        self.assertEqual([m.rule for m in result.matches], ["geocode"])

    def test_it_chooses_the_category_from_the_event(self):
        data = ferry_notice().replace("フェリー欠航".encode(), "津波による欠航".encode())
        self.assertEqual(self.run_import(data).alert.category, Alert.Category.TSUNAMI)

    def test_it_records_an_audit_event_with_the_import(self):
        alert = self.run_import(ferry_notice()).alert
        event = AuditEvent.objects.get(action="alerts.cap.imported")
        self.assertEqual((event.actor, event.object_id), (self.alice, str(alert.pk)))
        self.assertEqual(event.changes["matched"], ["polygon"])
        self.assertEqual(event.changes["origin"], "test")

    def test_it_imports_the_same_message_once(self):
        first = self.run_import(ferry_notice())
        second = self.run_import(ferry_notice())
        self.assertEqual(second.outcome, Outcome.DUPLICATE)
        self.assertEqual(second.alert, first.alert)
        self.assertEqual(Alert.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="alerts.cap.imported").count(), 1)

    def test_it_rejects_an_identifier_reused_with_other_content(self):
        self.run_import(ferry_notice())
        result = self.run_import(ferry_notice(headline="別の内容"))
        self.assertEqual(result.outcome, Outcome.REJECTED)
        self.assertIn("was imported before with other content", result.reason)
        self.assertEqual(Alert.objects.count(), 1)

    def test_it_links_an_update_to_the_alert_it_references(self):
        first = self.run_import(ferry_notice()).alert
        update = self.run_import(ferry_notice(
            "SKK-2026-0002", msg_type="Update", references=f"info@ferry.example.jp,SKK-2026-0001,{SENT}",
        )).alert
        self.assertEqual(update.msg_type, Alert.MsgType.UPDATE)
        self.assertEqual(list(update.references.all()), [first])
        self.assertEqual(update.facts["unresolved_references"], [])

    def test_it_links_a_cancellation_to_the_alert_it_references(self):
        first = self.run_import(ferry_notice()).alert
        cancel = self.run_import(ferry_notice(
            "SKK-2026-0003", msg_type="Cancel", references=f"info@ferry.example.jp,SKK-2026-0001,{SENT}",
        )).alert
        self.assertEqual(cancel.msg_type, Alert.MsgType.CANCEL)
        self.assertEqual(list(first.referenced_by.all()), [cancel])

    def test_it_imports_a_cancellation_without_area_of_an_alert_it_holds(self):
        first = self.run_import(ferry_notice()).alert
        data = ferry_notice("SKK-2026-0004", msg_type="Cancel",
                            references=f"info@ferry.example.jp,SKK-2026-0001,{SENT}",
                            area=area_xml("東京", polygon=FAR_AWAY_POLYGON))
        result = self.run_import(data)
        self.assertEqual(result.outcome, Outcome.IMPORTED)
        self.assertEqual([(m.rule, m.detail) for m in result.matches], [("reference", f"alert {first.pk}")])
        self.assertEqual(result.alert.facts["district_codes"], ["ryotsu"])  # those of the cancelled alert

    def test_it_does_not_import_a_cancellation_of_an_alert_it_does_not_hold(self):
        data = ferry_notice("SKK-2026-0004", msg_type="Cancel", references=f"info@ferry.example.jp,SKK-1,{SENT}",
                            area=area_xml("東京", polygon=FAR_AWAY_POLYGON))
        self.assertEqual(self.run_import(data).outcome, Outcome.NOT_CONCERNING)

    def test_it_keeps_references_it_does_not_know(self):
        update = self.run_import(ferry_notice(
            "SKK-2026-0002", msg_type="Update", references=f"info@ferry.example.jp,SKK-2025-0999,{SENT}",
        )).alert
        self.assertEqual(update.references.count(), 0)
        self.assertEqual(update.facts["unresolved_references"], [f"info@ferry.example.jp,SKK-2025-0999,{SENT}"])

    def test_it_links_a_reference_to_an_alert_toki_published(self):
        ours = make_alert(self.municipality)
        reference = f"toki@127.0.0.1,toki-152242-{ours.pk},2026-11-24T10:01:00+09:00"
        update = self.run_import(ferry_notice("SKK-9", msg_type="Update", references=reference)).alert
        self.assertEqual(list(update.references.all()), [ours])

    def test_it_maps_exercise_and_test_statuses(self):
        self.assertEqual(self.run_import(ferry_notice("E-1", status="Exercise")).alert.status, "exercise")
        self.assertEqual(self.run_import(ferry_notice("T-1", status="Test")).alert.status, "test")

    def test_it_writes_nothing_for_a_message_that_does_not_concern_the_municipality(self):
        result = self.run_import(ferry_notice(area=area_xml("東京", polygon=FAR_AWAY_POLYGON)))
        self.assertEqual(result.outcome, Outcome.NOT_CONCERNING)
        self.assertIn("no area of the message concerns 佐渡市", result.reason)
        self.assertFalse(Alert.objects.exists() or QuarantinedInput.objects.exists() or AuditEvent.objects.filter(
            action__startswith="alerts.cap").exists())

    def test_it_quarantines_an_invalid_message_with_the_reason(self):
        result = self.run_import(b"<alert>oops", origin="upload.xml")
        self.assertEqual(result.outcome, Outcome.REJECTED)
        quarantined = QuarantinedInput.objects.get()
        self.assertEqual((quarantined.kind, quarantined.url, quarantined.sample), ("cap", "upload.xml", "<alert>oops"))
        self.assertIn("not well-formed XML", quarantined.reason)
        self.assertEqual(result.quarantined, quarantined)
        event = AuditEvent.objects.get(action="alerts.cap.rejected")
        self.assertEqual(event.object_id, str(quarantined.pk))
        self.assertFalse(Alert.objects.exists())

    def test_it_quarantines_the_same_bad_bytes_once(self):
        self.run_import(b"<alert>oops")
        self.run_import(b"<alert>oops")
        self.assertEqual(QuarantinedInput.objects.count(), 1)

    def test_it_rejects_each_kind_of_invalid_message_with_its_reason(self):
        cases = {
            "not XML": (b"hello", "not well-formed XML"),
            "wrong namespace": (ferry_notice().replace(b"cap:1.2", b"cap:9.9"), "not a CAP 1.2 alert"),
            "missing element": (ferry_notice().replace(b"<scope>Public</scope>", b""),
                                "Expected is one of ( source, scope )"),
            "bad references": (ferry_notice("X", msg_type="Update", references="a,b"), "is not a sender,ident"),
            "DOCTYPE": (b'<!DOCTYPE alert [<!ENTITY a "a">]><alert/>', "XML bomb guard"),
        }
        for name, (data, reason) in cases.items():
            with self.subTest(name):
                result = self.run_import(data)
                self.assertEqual(result.outcome, Outcome.REJECTED)
                self.assertIn(reason, result.reason)
                self.assertEqual(QuarantinedInput.objects.get(sha256=result.quarantined.sha256).reason, result.reason)
        self.assertFalse(Alert.objects.exists())

    def test_it_rejects_a_restricted_message(self):
        data = ferry_notice(scope="Restricted", extra_alert="<restriction>staff only</restriction>")
        result = self.run_import(data)
        self.assertEqual(result.outcome, Outcome.REJECTED)
        self.assertIn("only Public messages are imported", result.reason)

    def test_it_rejects_statuses_it_does_not_import(self):
        result = self.run_import(ferry_notice(status="Draft"))
        self.assertIn("status Draft is not imported", result.reason)

    def test_it_writes_nothing_half(self):
        with mock.patch("toki.alerts.actions.cap.audit.record", side_effect=RuntimeError("disk full")), \
                self.assertRaises(RuntimeError):
            self.run_import(ferry_notice())
        self.assertFalse(Alert.objects.exists())

    def test_it_records_the_system_as_actor_without_a_user(self):
        self.run_import(ferry_notice(), acting_user=None)
        self.assertIsNone(AuditEvent.objects.get(action="alerts.cap.imported").actor)


class OasisExamplesImportTest(BaseTestCase):
    """The four OASIS examples, against a test profile of a Californian "municipality" whose districts cover
    example 2's polygon (Alpine County) and example 3's epicentre (Brawley), named "Los Angeles County" (example
    4's areaDesc). Example 1 (nationwide, no shape, no code) concerns it not."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.california = Municipality.objects.create(code="999997", name="テスト郡", name_en="Los Angeles County",
                                                     prefecture="California")
        for code, (lat, lon) in {"alpine": (38.5, -119.9), "imperial": (32.95, -115.55)}.items():
            ring = [[lon - 0.2, lat - 0.2], [lon + 0.2, lat - 0.2], [lon + 0.2, lat + 0.2], [lon - 0.2, lat + 0.2],
                    [lon - 0.2, lat - 0.2]]
            District.objects.create(municipality=cls.california, code=code, name=code, centre_lat=lat,
                                    centre_lon=lon, boundary={"type": "Polygon", "coordinates": [ring]})

    @requires_oasis
    def test_it_imports_the_examples_that_concern_the_test_profile(self):
        outcomes = {n: import_cap(oasis_example(n), acting_user=None, origin=f"example{n}.xml",
                                  municipality=self.california) for n in (1, 2, 3, 4)}
        self.assertEqual({n: r.outcome for n, r in outcomes.items()}, {
            1: Outcome.NOT_CONCERNING, 2: Outcome.IMPORTED, 3: Outcome.IMPORTED, 4: Outcome.IMPORTED,
        })
        self.assertEqual([m.rule for m in outcomes[2].matches], ["polygon"])
        self.assertEqual([m.rule for m in outcomes[3].matches], ["circle"])
        self.assertEqual([m.rule for m in outcomes[4].matches], ["name"])

    @requires_oasis
    def test_it_maps_the_examples_fields(self):
        update = import_cap(oasis_example(3), acting_user=None, origin="x", municipality=self.california).alert
        self.assertEqual((update.msg_type, update.category, update.severity), ("update", "earthquake", "Minor"))
        self.assertEqual(update.facts["unresolved_references"],
                         ["trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00"])
        amber = import_cap(oasis_example(4), acting_user=None, origin="x", municipality=self.california).alert
        self.assertEqual((amber.title, amber.category), ("Amber Alert in Los Angeles County", "other"))

    @requires_oasis
    def test_it_finds_the_examples_not_concerning_for_sado(self):
        for n in (1, 2, 3, 4):
            with self.subTest(example=n):
                result = import_cap(oasis_example(n), acting_user=None, origin="x")
                self.assertEqual(result.outcome, Outcome.NOT_CONCERNING)
        self.assertFalse(Alert.objects.exists())
