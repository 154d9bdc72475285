"""Hostile and broken input is refused with a JmaParseError that names the reason; nothing is expanded."""

import unittest

from toki.alerts.jma import JmaParseError, parse_file, parse_telegram
from toki.alerts.jma.namespaces import JMX, JMX_IB, JMX_METE
from toki.alerts.jma.xmlsafe import MAX_TELEGRAM_BYTES


def telegram_xml(
    *,
    root_ns: str = JMX,
    status: str = "通常",
    info_type: str = "発表",
    report_datetime: str = "2025-01-01T09:00:00+09:00",
    body_ns: str = JMX_METE,
    title: str = "気象警報・注意報（Ｈ２７）",
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>',
) -> str:
    """A minimal, valid JMA telegram whose parts a test can break one at a time."""
    return f"""{prolog}
<Report xmlns="{root_ns}">
  <Control><Title>{title}</Title><DateTime>2025-01-01T00:00:00Z</DateTime><Status>{status}</Status>
    <EditorialOffice>新潟地方気象台</EditorialOffice><PublishingOffice>新潟地方気象台</PublishingOffice></Control>
  <Head xmlns="{JMX_IB}"><Title>新潟県気象警報・注意報</Title><ReportDateTime>{report_datetime}</ReportDateTime>
    <TargetDateTime>2025-01-01T09:00:00+09:00</TargetDateTime><EventID/><InfoType>{info_type}</InfoType><Serial/>
    <InfoKind>気象警報・注意報</InfoKind><InfoKindVersion>1.2_2</InfoKindVersion><Headline><Text/></Headline></Head>
  <Body xmlns="{body_ns}"/>
</Report>"""


def parse(text: str):
    return parse_telegram(text.encode("utf-8"))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Report xmlns="http://xml.kishou.go.jp/jmaxml1/">&lol3;</Report>"""


class SafeParsingTests(unittest.TestCase):
    def test_it_parses_the_minimal_telegram(self):
        telegram = parse(telegram_xml())
        self.assertEqual((telegram.message_type.code, telegram.status, telegram.warnings), ("VPWW54", "通常", ()))

    def test_it_refuses_a_billion_laughs_document(self):
        with self.assertRaisesRegex(JmaParseError, "DOCTYPE"):
            parse(BILLION_LAUGHS)

    def test_it_refuses_an_external_entity(self):
        xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Report>&x;</Report>'
        with self.assertRaisesRegex(JmaParseError, "DOCTYPE"):
            parse(xxe)

    def test_it_refuses_any_doctype_even_a_harmless_one(self):
        with self.assertRaisesRegex(JmaParseError, "DTDs and entity declarations are refused"):
            parse(telegram_xml(prolog='<?xml version="1.0"?><!DOCTYPE Report>'))

    def test_it_refuses_utf16_input(self):
        with self.assertRaisesRegex(JmaParseError, "not UTF-8"):
            parse_telegram(telegram_xml(prolog='<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"))

    def test_it_refuses_a_declared_non_utf8_encoding(self):
        with self.assertRaisesRegex(JmaParseError, "Shift_JIS"):
            parse(telegram_xml(prolog='<?xml version="1.0" encoding="Shift_JIS"?>'))

    def test_it_refuses_oversized_input(self):
        with self.assertRaisesRegex(JmaParseError, "more than the limit"):
            parse_telegram(b" " * (MAX_TELEGRAM_BYTES + 1))

    def test_it_refuses_text_instead_of_bytes(self):
        with self.assertRaisesRegex(JmaParseError, "must be bytes"):
            parse_telegram(telegram_xml())

    def test_it_refuses_empty_input(self):
        with self.assertRaisesRegex(JmaParseError, "empty"):
            parse_telegram(b"  \n")

    def test_it_names_the_xml_error_of_malformed_input(self):
        with self.assertRaisesRegex(JmaParseError, "malformed XML: mismatched tag"):
            parse("<Report><Control></Report>")


class StructureCheckTests(unittest.TestCase):
    def test_it_refuses_an_unexpected_root_namespace(self):
        with self.assertRaisesRegex(JmaParseError, "root element is <Report> in namespace urn:example"):
            parse(telegram_xml(root_ns="urn:example"))

    def test_it_refuses_a_root_without_namespace(self):
        with self.assertRaisesRegex(JmaParseError, r"\(no namespace\)"):
            parse("<Report/>")

    def test_it_refuses_an_unexpected_body_namespace(self):
        with self.assertRaisesRegex(JmaParseError, "Body is in the unexpected namespace urn:other"):
            parse(telegram_xml(body_ns="urn:other"))

    def test_it_refuses_a_telegram_without_head(self):
        with self.assertRaisesRegex(JmaParseError, "no Head element"):
            parse(f'<Report xmlns="{JMX}"><Control><Title>x</Title></Control></Report>')

    def test_it_refuses_an_unknown_status(self):
        with self.assertRaisesRegex(JmaParseError, "Control/Status '本番'"):
            parse(telegram_xml(status="本番"))

    def test_it_refuses_an_unknown_info_type(self):
        with self.assertRaisesRegex(JmaParseError, "Head/InfoType '更新'"):
            parse(telegram_xml(info_type="更新"))

    def test_it_names_the_field_of_a_bad_datetime(self):
        with self.assertRaisesRegex(JmaParseError, "Head/ReportDateTime: '昨日' is not an ISO 8601"):
            parse(telegram_xml(report_datetime="昨日"))

    def test_it_refuses_a_missing_report_datetime(self):
        with self.assertRaisesRegex(JmaParseError, "Head/ReportDateTime is missing"):
            parse(telegram_xml(report_datetime=""))

    def test_it_makes_a_datetime_without_offset_japan_time(self):
        telegram = parse(telegram_xml(report_datetime="2025-01-01T09:00:00"))
        self.assertEqual(telegram.report_datetime.utcoffset().total_seconds(), 9 * 3600)

    def test_it_accepts_the_operational_status_patterns(self):
        self.assertEqual(parse(telegram_xml(status="CCA")).status, "CCA")

    def test_it_reports_an_unreadable_file_as_a_parse_error(self):
        with self.assertRaisesRegex(JmaParseError, "cannot read the file"):
            parse_file("/nonexistent/telegram.xml")
