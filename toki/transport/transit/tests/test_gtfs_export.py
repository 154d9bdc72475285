"""The GTFS-JP export through its URL: the same feed comes back on import, it passes the validator with no
ERROR notice, and it is served with caching headers."""

import zipfile
from io import BytesIO

from django.urls import reverse
from django.utils import timezone

from toki.test import BaseTestCase
from toki.transport.transit.actions import import_feed
from toki.transport.transit.exporting import feed_tables
from toki.transport.transit.tests.helpers import demo_zip, load_demo
from toki.transport.transit.validation import errors_of, validate_static


class ExportTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.feed = load_demo(self.municipality)

    def test_it_exports_a_zip_that_imports_to_the_same_feed(self):
        response = self.client.get(reverse("transit:gtfs"))
        self.assertEqual(response.status_code, 200)
        before = feed_tables(self.feed)
        self.assertIn("agency_jp.txt", zipfile.ZipFile(BytesIO(response.content)).namelist())
        again = import_feed(acting_user=None, municipality=self.municipality, data=response.content)
        self.assertEqual(feed_tables(again), before)

    def test_it_passes_the_gtfs_validator_with_no_error(self):
        notices = validate_static(self.client.get(reverse("transit:gtfs")).content, on=timezone.localdate())
        self.assertEqual(errors_of(notices), [])
        codes = {n["code"] for n in notices}
        self.assertIn("unknown_file", codes)  # agency_jp.txt / office_jp.txt: GTFS-JP, not canonical GTFS

    def test_the_validator_finds_an_error_we_plant(self):
        bad = demo_zip(stops="stop_id,stop_name,stop_lat,stop_lon\r\nx,X,0,0\r\n")  # a stop at 0,0; the rest
        notices = validate_static(bad, on=timezone.localdate())        # of the feed names stops it lacks
        self.assertTrue(errors_of(notices))

    def test_it_answers_304_to_a_matching_etag_and_says_how_long_to_keep_it(self):
        first = self.client.get(reverse("transit:gtfs"))
        self.assertIn("max-age=3600", first["Cache-Control"])
        again = self.client.get(reverse("transit:gtfs"), HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual(again.status_code, 304)

    def test_it_answers_404_when_no_feed_exists_and_refuses_post(self):
        self.feed.delete()
        self.assertEqual(self.client.get(reverse("transit:gtfs")).status_code, 404)
        self.assertEqual(self.client.post(reverse("transit:gtfs")).status_code, 405)
