"""Parsing and validating CAP 1.2: the OASIS examples parse; each kind of bad input is refused with its reason."""

from datetime import timedelta
from unittest import mock

from django.test import SimpleTestCase

from toki.alerts.cap.parse import MAX_CAP_BYTES, CapError, parse_cap
from toki.alerts.tests.test_cap_support import ferry_notice, oasis_example, requires_oasis


class OasisExamplesTest(SimpleTestCase):
    @requires_oasis
    def test_it_parses_the_four_oasis_examples(self):
        keys = [parse_cap(oasis_example(n)).key for n in (1, 2, 3, 4)]
        self.assertEqual(keys, ["hsas@dhs.gov,43b080713727", "KSTO@NWS.NOAA.GOV,KSTO1055887203",
                                "trinet@caltech.edu,TRI13970876.2", "KARO@CLETS.DOJ.CA.GOV,KAR0-0306112239-SW"])

    @requires_oasis
    def test_it_reads_the_references_of_an_update(self):
        message = parse_cap(oasis_example(3))
        self.assertEqual(message.msg_type, "Update")
        (reference,) = message.references
        self.assertEqual((reference.sender, reference.identifier), ("trinet@caltech.edu", "TRI13970876.1"))
        self.assertEqual(reference.sent.utcoffset(), timedelta(hours=-7))

    @requires_oasis
    def test_it_reads_one_info_per_language(self):
        message = parse_cap(oasis_example(4))
        self.assertEqual([i.language for i in message.infos], ["en-US", "es-US"])
        self.assertEqual(message.infos[0].areas[0].geocodes[0].value, "006037")

    @requires_oasis
    def test_it_reads_polygons_and_circles_latitude_first(self):
        polygon = parse_cap(oasis_example(2)).infos[0].areas[0].polygons[0]
        circle = parse_cap(oasis_example(3)).infos[0].areas[0].circles[0]
        self.assertEqual((polygon[0], polygon[0] == polygon[-1]), ((38.47, -120.14), True))
        self.assertEqual((circle.lat, circle.lon, circle.radius_km), (32.9525, -115.5527, 0.0))

    @requires_oasis
    def test_it_defaults_the_language_to_en_us(self):
        self.assertEqual(parse_cap(oasis_example(1)).infos[0].language, "en-US")


class SyntheticMessageTest(SimpleTestCase):
    def test_it_parses_a_japanese_ferry_notice(self):
        message = parse_cap(ferry_notice())
        self.assertEqual(message.primary_info().event, "フェリー欠航")
        self.assertEqual(message.sent.utcoffset(), timedelta(hours=9))
        self.assertEqual(len(message.sha256), 64)

    def test_it_keeps_the_whole_message_as_json_facts(self):
        facts = parse_cap(ferry_notice()).as_facts()
        self.assertEqual(facts["infos"][1]["language"], "en-US")
        self.assertEqual(facts["sent"], "2026-11-24T10:00:00+09:00")
        self.assertEqual(facts["infos"][0]["areas"][0]["polygons"][0][0], [38.075, 138.432])


class RefusalTest(SimpleTestCase):
    def assertRefused(self, data: bytes, *fragments: str):
        with self.assertRaises(CapError) as caught:
            parse_cap(data)
        for fragment in fragments:
            self.assertIn(fragment, caught.exception.reason)
        return caught.exception.reason

    def test_it_refuses_bytes_that_are_not_xml(self):
        self.assertRefused(b"this is not XML at all", "not well-formed XML")

    def test_it_refuses_an_empty_message(self):
        self.assertRefused(b"  \n", "empty message")

    def test_it_refuses_text_instead_of_bytes(self):
        self.assertRefused(ferry_notice().decode(), "must be bytes")

    def test_it_refuses_a_wrong_namespace(self):
        data = ferry_notice().replace(b"urn:oasis:names:tc:emergency:cap:1.2", b"urn:example:not-cap")
        self.assertRefused(data, "not a CAP 1.2 alert", "urn:example:not-cap")

    def test_it_refuses_a_missing_namespace(self):
        data = ferry_notice().replace(b' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', b"")
        self.assertRefused(data, "without a namespace")

    def test_it_names_cap_1_1_when_refusing_it(self):
        data = ferry_notice().replace(b"cap:1.2", b"cap:1.1")
        self.assertRefused(data, "this is CAP 1.1", "only CAP 1.2 is accepted")

    def test_it_refuses_a_missing_required_element(self):
        data = ferry_notice().replace(b"<sent>2026-11-24T10:00:00+09:00</sent>", b"")
        self.assertRefused(data, "OASIS schema", "Expected is ( sent )")

    def test_it_refuses_a_missing_required_info_element(self):
        data = ferry_notice().replace(b"<certainty>Likely</certainty>", b"", 1)
        self.assertRefused(data, "OASIS schema", "certainty")

    def test_it_refuses_a_time_without_offset(self):
        data = ferry_notice(sent="2026-11-24T10:00:00")
        self.assertRefused(data, "OASIS schema", "sent")

    def test_it_refuses_an_unknown_status(self):
        self.assertRefused(ferry_notice(status="Real"), "OASIS schema", "status")

    def test_it_refuses_references_that_are_not_triples(self):
        data = ferry_notice(msg_type="Update", references="info@ferry.example.jp,SKK-2026-0000")
        self.assertRefused(data, "references", "is not a sender,identifier,sent triple")

    def test_it_refuses_references_with_a_bad_time(self):
        data = ferry_notice(msg_type="Cancel", references="info@ferry.example.jp,SKK-2026-0000,yesterday")
        self.assertRefused(data, "references", "is not a CAP date-time")

    def test_it_refuses_an_update_without_references(self):
        self.assertRefused(ferry_notice(msg_type="Update"), "an Update must name the message(s) it refers to")

    def test_it_refuses_a_message_that_references_itself(self):
        data = ferry_notice(msg_type="Update",
                            references="info@ferry.example.jp,SKK-2026-0001,2026-11-24T10:00:00+09:00")
        self.assertRefused(data, "references names the message itself")

    def test_it_refuses_a_doctype_before_parsing(self):
        bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&lol2;</alert>')
        with mock.patch("toki.alerts.cap.parse.etree.fromstring") as fromstring:
            self.assertRefused(bomb, "<!DOCTYPE found", "XML bomb guard")
        fromstring.assert_not_called()

    def test_it_refuses_an_external_entity_declaration(self):
        data = ferry_notice().replace(b"<alert ", b'<!ENTITY xxe SYSTEM "file:///etc/passwd"><alert ', 1)
        self.assertRefused(data, "<!ENTITY found")

    def test_it_refuses_utf16(self):
        self.assertRefused(ferry_notice().decode().encode("utf-16"), "UTF-16/32")

    def test_it_refuses_an_oversized_message(self):
        self.assertRefused(b"<a>" + b" " * MAX_CAP_BYTES + b"</a>", "more than the limit")

    def test_it_refuses_an_identifier_with_a_space(self):
        self.assertRefused(ferry_notice(identifier="SKK 2026"), "identifier 'SKK 2026' contains a space")

    def test_it_refuses_a_sender_with_a_comma(self):
        self.assertRefused(ferry_notice(sender="a,b"), "sender 'a,b' contains a space, comma")

    def test_it_refuses_an_open_polygon(self):
        data = ferry_notice().replace(b" 38.075,138.432</polygon>", b"</polygon>")
        self.assertRefused(data, "info[0].area[0].polygon[0]: not closed")

    def test_it_refuses_a_polygon_with_longitude_first(self):
        data = ferry_notice().replace(b"38.075,138.432 38.075,138.447", b"138.432,38.075 38.075,138.447")
        self.assertRefused(data, "out of range (latitude first")

    def test_it_refuses_a_restricted_scope_without_restriction(self):
        self.assertRefused(ferry_notice(scope="Restricted"), "scope Restricted needs a restriction")

    def test_it_refuses_an_alert_without_info(self):
        data = ferry_notice()
        data = data[: data.index(b"<info>")] + b"</alert>"
        self.assertRefused(data, "an Alert needs at least one info block")

    def test_it_lists_several_problems_at_once(self):
        reason = self.assertRefused(ferry_notice(identifier="a b", sender="c,d"), "identifier", "sender")
        self.assertIn("; ", reason)
