"""Alerts as CAP 1.2: valid against the OASIS schema for JMA-, city- and CAP-sourced alerts, with references,
Japan-time offsets, a Japanese and an English info, closed lat,lon polygons and geocodes."""

import filecmp
from datetime import timedelta

from django.test import SimpleTestCase, override_settings
from lxml import etree

from toki.alerts.actions.cap import import_cap
from toki.alerts.cap import CAP_NS
from toki.alerts.cap.build import alert_to_cap, cap_sender
from toki.alerts.cap.mapping import info_texts
from toki.alerts.cap.parse import parse_cap
from toki.alerts.cap.schema import XSD_PATH
from toki.alerts.models import Alert, EvacuationOrder
from toki.alerts.tests.test_cap_support import OASIS_DIR, T0, ferry_notice, make_alert, requires_oasis, xsd_errors
from toki.test import BaseTestCase

NS = {"cap": CAP_NS}


def texts(document: bytes, path: str) -> list[str]:
    return [e.text for e in etree.fromstring(document).iterfind(path, NS)]


class SchemaCopyTest(SimpleTestCase):
    @requires_oasis
    def test_it_ships_the_oasis_schema_unchanged(self):
        self.assertTrue(filecmp.cmp(XSD_PATH, OASIS_DIR / "CAP-v1.2.xsd", shallow=False))


class BuildTest(BaseTestCase):
    def city_alert(self, **changes) -> Alert:
        alert = make_alert(self.municipality, 2, source=Alert.Source.CITY, identifier="city:152242:x",
                           category=Alert.Category.EVACUATION, title="佐渡市 避難指示（警戒レベル４）",
                           sender="佐渡市災害対策本部", headline="両津地区に避難指示を発令しました。",
                           facts={"source": "city"}, **changes)
        EvacuationOrder.objects.create(
            municipality=self.municipality, district=self.districts["ryotsu"], level=4, hazard="landslide",
            reason="大雨", issued_at=T0, issued_by=self.alice, issue_alert=alert,
        )
        return alert

    def assertValidCap(self, document: bytes):
        self.assertEqual(xsd_errors(document), [])
        parse_cap(document)  # and passes Toki's own import checks (closed polygons, references, identifiers)

    def test_it_writes_valid_cap_for_a_jma_alert(self):
        self.assertValidCap(alert_to_cap(make_alert(self.municipality)))

    def test_it_writes_valid_cap_for_a_city_alert(self):
        self.assertValidCap(alert_to_cap(self.city_alert()))

    def test_it_writes_valid_cap_for_an_imported_alert(self):
        alert = import_cap(ferry_notice(), acting_user=None, origin="test").alert
        self.assertValidCap(alert_to_cap(alert))

    @requires_oasis
    def test_it_writes_valid_cap_for_an_imported_alert_without_japanese(self):
        from toki.alerts.tests.test_cap_support import oasis_example

        data = oasis_example(1).replace(b"U.S. nationwide", "佐渡市".encode())
        alert = import_cap(data, acting_user=None, origin="test").alert
        document = alert_to_cap(alert)
        self.assertValidCap(document)
        # Republished as it came, in English only: never relabelled ja-JP.
        self.assertEqual(texts(document, "cap:info/cap:category"), ["Security"])
        self.assertEqual(texts(document, "cap:info/cap:language"), ["en-US"])

    def test_it_writes_valid_cap_for_an_imported_cancellation_without_info(self):
        import_cap(ferry_notice(), acting_user=None, origin="test")
        data = ferry_notice("SKK-2026-0009", msg_type="Cancel",
                            references="info@ferry.example.jp,SKK-2026-0001,2026-11-24T10:00:00+09:00")
        cancel = import_cap(data[: data.index(b"<info>")] + b"</alert>", acting_user=None, origin="test").alert
        document = alert_to_cap(cancel)
        self.assertValidCap(document)
        self.assertEqual(texts(document, "cap:msgType"), ["Cancel"])

    def test_it_writes_valid_cap_for_drills_and_tests(self):
        for n, status in enumerate([Alert.Status.EXERCISE, Alert.Status.TEST], start=10):
            document = alert_to_cap(make_alert(self.municipality, n, status=status))
            self.assertValidCap(document)
            self.assertEqual(texts(document, "cap:status"), [{"exercise": "Exercise", "test": "Test"}[status]])

    def test_it_writes_the_identity_of_this_site(self):
        alert = make_alert(self.municipality)
        document = alert_to_cap(alert)
        self.assertEqual(texts(document, "cap:identifier"), [f"toki-152242-{alert.pk}"])
        self.assertEqual(texts(document, "cap:sender"), ["toki@127.0.0.1"])
        self.assertEqual(texts(document, "cap:scope"), ["Public"])

    @override_settings(TOKI_CAP_SENDER="bousai@city.sado.example.jp")
    def test_it_uses_the_configured_sender(self):
        self.assertEqual(cap_sender(), "bousai@city.sado.example.jp")

    @override_settings(SITE_URL="https://toki.city.sado.example.jp/")
    def test_it_builds_the_sender_from_the_site_host(self):
        self.assertEqual(cap_sender(), "toki@toki.city.sado.example.jp")

    def test_it_writes_sent_with_the_japan_offset(self):
        document = alert_to_cap(make_alert(self.municipality))
        self.assertEqual(texts(document, "cap:sent"), ["2026-11-24T10:01:00+09:00"])

    def test_it_writes_references_for_an_update(self):
        first = make_alert(self.municipality, 1)
        update = make_alert(self.municipality, 2, msg_type=Alert.MsgType.UPDATE)
        update.references.add(first)
        document = alert_to_cap(update)
        self.assertEqual(texts(document, "cap:msgType"), ["Update"])
        self.assertEqual(texts(document, "cap:references"),
                         [f"toki@127.0.0.1,toki-152242-{first.pk},2026-11-24T10:01:00+09:00"])
        self.assertValidCap(document)

    def test_it_writes_every_reference_of_a_cancellation_space_separated(self):
        first, second = make_alert(self.municipality, 1), make_alert(self.municipality, 2)
        cancel = make_alert(self.municipality, 3, msg_type=Alert.MsgType.CANCEL)
        cancel.references.add(first, second)
        document = alert_to_cap(cancel)
        (references,) = texts(document, "cap:references")
        self.assertEqual([r.split(",")[1] for r in references.split(" ")],
                         [f"toki-152242-{first.pk}", f"toki-152242-{second.pk}"])
        self.assertEqual(texts(document, "cap:info/cap:responseType"), ["AllClear", "AllClear"])
        self.assertValidCap(document)

    def test_it_writes_a_japanese_and_an_english_info(self):
        document = alert_to_cap(make_alert(self.municipality))
        self.assertEqual(texts(document, "cap:info/cap:language"), ["ja-JP", "en-US"])
        self.assertEqual(texts(document, "cap:info/cap:category"), ["Met", "Met"])
        self.assertEqual(texts(document, "cap:info/cap:event"), ["気象警報・注意報", "Weather warning"])
        self.assertEqual(texts(document, "cap:info/cap:senderName"), ["気象庁", "Japan Meteorological Agency"])
        self.assertEqual(texts(document, "cap:info/cap:headline"),
                         ["気象警報・注意報（Ｈ２７）", "Weather warning: Sado City"])
        self.assertEqual(texts(document, "cap:info/cap:web"), ["http://127.0.0.1:8000/"] * 2)
        self.assertEqual(texts(document, "cap:info/cap:severity"), ["Severe", "Severe"])

    def test_it_writes_an_expiry_when_the_alert_has_none(self):
        document = alert_to_cap(make_alert(self.municipality))
        self.assertEqual(texts(document, "cap:info/cap:expires"), ["2026-11-25T10:01:00+09:00"] * 2)

    def test_it_writes_the_alert_expiry(self):
        document = alert_to_cap(make_alert(self.municipality, expires_at=T0 + timedelta(hours=6)))
        self.assertEqual(texts(document, "cap:info/cap:expires")[0], "2026-11-24T16:00:00+09:00")

    def test_it_writes_the_municipality_outline_and_codes_for_a_jma_alert(self):
        document = alert_to_cap(make_alert(self.municipality))
        (polygon,) = texts(document, "cap:info[1]/cap:area/cap:polygon")
        pairs = polygon.split(" ")
        self.assertEqual(pairs[0], pairs[-1])
        lat, lon = (float(v) for v in pairs[0].split(","))
        self.assertTrue(37.5 < lat < 38.5 and 138 < lon < 138.7)  # latitude first, on Sado
        self.assertEqual(texts(document, "cap:info[1]/cap:area/cap:geocode/cap:valueName"),
                         ["JMA-AREA-CODE", "LG-CODE"])
        self.assertEqual(texts(document, "cap:info[1]/cap:area/cap:geocode/cap:value"), ["1522400", "152242"])
        self.assertEqual(texts(document, "cap:info/cap:area/cap:areaDesc"), ["佐渡市", "Sado City"])

    def test_it_writes_the_jma_codes_the_alert_names(self):
        alert = make_alert(self.municipality, facts={"areas": [{"code": "150040", "system": "forecast_area"},
                                                               {"code": "375", "system": "earthquake_region"}]})
        document = alert_to_cap(alert)
        self.assertEqual(texts(document, "cap:info[1]/cap:area/cap:geocode/cap:value"), ["150040", "152242"])

    def test_it_writes_the_district_boundary_of_a_city_alert(self):
        document = alert_to_cap(self.city_alert())
        self.assertEqual(texts(document, "cap:info/cap:area/cap:areaDesc"), ["佐渡市 両津", "Ryotsu, Sado City"])
        self.assertEqual(len(texts(document, "cap:info[1]/cap:area/cap:polygon")), 2)  # 両津 has two parts
        self.assertEqual(texts(document, "cap:info[1]/cap:area/cap:geocode"), [])
        self.assertEqual(texts(document, "cap:info/cap:category"), ["Safety", "Safety"])
        self.assertEqual(texts(document, "cap:info/cap:senderName"), ["佐渡市", "Sado City"])

    def test_it_finds_the_districts_of_a_city_alert_in_its_facts(self):
        alert = make_alert(self.municipality, 3, source=Alert.Source.CITY, category=Alert.Category.EVACUATION,
                           facts={"evacuation": {"districts": [{"code": "ogi"}, {"code": "hamochi"}]}})
        document = alert_to_cap(alert)
        self.assertEqual(texts(document, "cap:info[1]/cap:area/cap:areaDesc"), ["佐渡市 小木", "佐渡市 羽茂"])

    def test_it_keeps_the_texts_and_area_of_an_imported_alert(self):
        alert = import_cap(ferry_notice(), acting_user=None, origin="test").alert
        document = alert_to_cap(alert)
        self.assertEqual(texts(document, "cap:source"), ["info@ferry.example.jp"])
        self.assertEqual(texts(document, "cap:info/cap:headline"),
                         ["両津港発着のカーフェリー欠航", "Car ferries to and from Ryotsu port cancelled"])
        self.assertEqual(texts(document, "cap:info/cap:instruction"), ["乗船予定の方は窓口にお問い合わせください。"])
        self.assertEqual(texts(document, "cap:info/cap:category"), ["Transport", "Transport"])
        self.assertEqual(texts(document, "cap:info/cap:expires"), ["2026-11-24T22:00:00+09:00"] * 2)
        self.assertEqual(texts(document, "cap:info[1]/cap:area/cap:polygon"),
                         ["38.075,138.432 38.075,138.447 38.086,138.447 38.086,138.432 38.075,138.432"])

    def test_it_gives_every_info_a_description(self):
        alert = make_alert(self.municipality, headline="")
        for language in ("ja", "en"):
            headline, description, _ = info_texts(alert, language)
            self.assertTrue(headline and description)
