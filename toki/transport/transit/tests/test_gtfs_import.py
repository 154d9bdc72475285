"""GTFS-JP import through the managers' page and the command: a good feed replaces the old one; a bad one names
file, row and field, and changes nothing."""

from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from toki.accounts.models import AuditEvent, User
from toki.areas.models import Municipality
from toki.test import BaseTestCase
from toki.transport.transit.models import Agency, Feed, Stop, StopTime, Translation, Trip
from toki.transport.transit.tests.helpers import DEMO, demo_files, demo_zip, load_demo


def replace_line(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


class ImportTests(BaseTestCase):
    alice: User
    municipality: Municipality

    def upload(self, data: bytes, user=None):
        self.login(user or self.alice)
        return self.client.post(reverse("transit:manage_import"),
                                {"feed": SimpleUploadedFile("feed.zip", data, content_type="application/zip")})

    def test_it_imports_the_demo_feed_with_its_japanese_extensions(self):
        response = self.upload(demo_zip())
        self.assertRedirects(response, reverse("transit:manage"), fetch_redirect_response=False)
        feed = Feed.objects.get(municipality=self.municipality)
        self.assertEqual(feed.version, "demo-2026.1")
        agency = Agency.objects.get(feed=feed)
        self.assertEqual(agency.official_name, "新潟交通佐渡株式会社（デモデータ）")
        self.assertEqual(Trip.objects.get(gtfs_id="honsen_out_01").office.name, "佐和田営業所（デモ）")
        self.assertEqual(Trip.objects.filter(feed=feed).count(), 20)
        self.assertEqual(StopTime.objects.get(trip__gtfs_id="honsen_out_01", sequence=4).arrival, 7 * 3600 + 40 * 60)
        self.assertTrue(Translation.objects.filter(feed=feed, language="en", translation="Aikawa").exists())
        self.assertEqual(Stop.objects.get(gtfs_id="aikawa").district.code, "aikawa")
        self.assertTrue(AuditEvent.objects.filter(action="transit.import_feed", actor=self.alice).exists())

    def test_it_replaces_the_whole_feed_on_a_second_import(self):
        load_demo(self.municipality)
        trips = demo_files()["trips.txt"]
        kept = "\r\n".join(line for line in trips.split("\r\n") if "av_" not in line)
        times = "\r\n".join(line for line in demo_files()["stop_times.txt"].split("\r\n") if "av_" not in line)
        response = self.upload(demo_zip(trips=kept, stop_times=times))
        self.assertEqual(response.status_code, 302, response.content.decode()[-3000:])
        self.assertEqual(Feed.objects.count(), 1)
        self.assertEqual(Trip.objects.count(), 16)

    def assert_refused(self, data: bytes, *expected: str):
        load_demo(self.municipality)
        before = (Feed.objects.get().pk, Trip.objects.count(), StopTime.objects.count())
        response = self.upload(data)
        self.assertEqual(response.status_code, 400)
        text = response.content.decode()
        for part in expected:
            self.assertIn(part, text)
        self.assertEqual((Feed.objects.get().pk, Trip.objects.count(), StopTime.objects.count()), before)

    def test_it_names_file_row_and_field_of_a_bad_coordinate(self):
        stops = replace_line(demo_files()["stops.txt"], "38.0270,138.3650", "138.0270,38.3650")
        self.assert_refused(demo_zip(stops=stops), "stops.txt, row 3, stop_lat: outside -90…90")

    def test_it_refuses_a_trip_of_an_unknown_route(self):
        trips = replace_line(demo_files()["trips.txt"], "honsen,daily,honsen_out_01", "nosuch,daily,honsen_out_01")
        self.assert_refused(demo_zip(trips=trips),
                            "trips.txt, row 2, route_id: &#x27;nosuch&#x27; is not in routes.txt")

    def test_it_refuses_times_that_go_backwards(self):
        times = replace_line(demo_files()["stop_times.txt"], "honsen_out_01,07:00:00,07:00:00",
                             "honsen_out_01,06:00:00,06:00:00")
        self.assert_refused(demo_zip(stop_times=times), "stop_times.txt, row 3, arrival_time: earlier than the stop")

    def test_it_refuses_a_missing_required_file_and_column(self):
        agency = replace_line(demo_files()["agency.txt"], "agency_timezone,", "")
        self.assert_refused(demo_zip(feed_info=None, agency=agency), "feed_info.txt: required file missing",
                            "agency.txt, row 1, agency_timezone: required column missing")

    def test_it_refuses_a_duplicate_id_and_a_bad_date(self):
        calendar = replace_line(demo_files()["calendar.txt"], "20270331", "20270231")
        stops = demo_files()["stops.txt"] + "kanai,金井2,38.0,138.3,0\r\n"
        self.assert_refused(demo_zip(calendar=calendar, stops=stops), "calendar.txt, row 2, end_date: no such date",
                            "stops.txt, row 9, stop_id: duplicate of row 3")

    def test_it_refuses_what_is_not_a_zip_or_not_utf8(self):
        self.assert_refused(b"PK\x03\x04 broken", "(zip): not a zip file")
        self.assert_refused(demo_zip(routes="route_id\r\n".encode("utf-16")), "routes.txt: not UTF-8")

    def test_it_refuses_a_row_with_the_wrong_number_of_fields(self):
        routes = demo_files()["routes.txt"] + "extra,1,2\r\n"
        self.assert_refused(demo_zip(routes=routes), "routes.txt, row 4: 3 fields where the header has 7")

    def test_it_refuses_the_import_to_an_outsider_and_a_branch_office(self):
        for user in (self.eve, self.bob):
            self.assertEqual(self.upload(demo_zip(), user=user).status_code, 404)
        self.assertFalse(Feed.objects.exists())

    def test_it_imports_a_folder_with_the_command_and_refuses_a_bad_one_naming_the_problem(self):
        call_command("import_gtfs", str(DEMO), demo=True, stdout=StringIO())
        self.assertTrue(Feed.objects.get().is_demo)
        with self.assertRaisesMessage(CommandError, "no such file or folder"):
            call_command("import_gtfs", "/nonexistent/feed.zip")

    def test_it_refuses_a_control_character_in_a_value(self):
        stops = replace_line(demo_files()["stops.txt"], "kanai,金井", "kanai,金\x00井")
        self.assert_refused(demo_zip(stops=stops), "stops.txt, row 3, stop_name: contains a control character")

    def test_it_asks_for_a_file_when_none_or_a_huge_one_is_sent(self):
        self.login(self.alice)
        self.client.cookies["toki_language"] = "en"
        response = self.client.post(reverse("transit:manage_import"), {})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Choose a GTFS-JP zip file.", response.content.decode())
        huge = SimpleUploadedFile("feed.zip", b"\0" * (20 * 1024 * 1024 + 1), content_type="application/zip")
        response = self.client.post(reverse("transit:manage_import"), {"feed": huge})
        self.assertIn("The file is larger than 20 MB.", response.content.decode())
        self.assertFalse(Feed.objects.exists())

    def test_it_reads_the_gtfs_jp_v2_translations_and_exports_them_in_the_table_form(self):
        v2 = "trans_id,lang,translation\r\n相川,en,Aikawa\r\n相川,ja-Hrkt,あいかわ\r\n本線,en,Main Line\r\n"
        response = self.upload(demo_zip(translations=v2))
        self.assertEqual(response.status_code, 302)
        found = set(Translation.objects.values_list("table_name", "field_name", "language", "field_value"))
        # 相川 is a stop's name and a trip's headsign; 本線 a route's short name.
        self.assertEqual(found, {("stops", "stop_name", "en", "相川"), ("trips", "trip_headsign", "en", "相川"),
                                 ("stops", "stop_name", "ja-Hrkt", "相川"),
                                 ("trips", "trip_headsign", "ja-Hrkt", "相川"),
                                 ("routes", "route_short_name", "en", "本線")})

    def test_it_names_the_row_of_a_bad_v2_translation(self):
        v2 = "trans_id,lang,translation\r\n相川,english!,Aikawa\r\n"
        self.assert_refused(demo_zip(translations=v2), "translations.txt, row 2, lang: not a language tag")
