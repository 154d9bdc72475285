import datetime
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from django.utils import translation

from toki.lib.jp_dates import jp_date, wareki_year


class WarekiTests(SimpleTestCase):
    def test_it_names_the_era_year(self):
        self.assertEqual(wareki_year(datetime.date(2026, 11, 24)), "令和8年")
        self.assertEqual(wareki_year(datetime.date(2025, 1, 1)), "令和7年")

    def test_it_calls_the_first_year_gannen(self):
        self.assertEqual(wareki_year(datetime.date(2019, 5, 1)), "令和元年")
        self.assertEqual(wareki_year(datetime.date(1989, 1, 8)), "平成元年")

    def test_it_switches_era_on_the_right_day(self):
        self.assertEqual(wareki_year(datetime.date(2019, 4, 30)), "平成31年")
        self.assertEqual(wareki_year(datetime.date(1989, 1, 7)), "昭和64年")


class JpDateFilterTests(SimpleTestCase):
    def test_it_shows_tokyo_date_with_era_on_japanese_pages(self):
        # 15:30 UTC is already the next day in Tokyo.
        moment = datetime.datetime(2026, 11, 23, 15, 30, tzinfo=ZoneInfo("UTC"))
        with translation.override("ja"):
            self.assertEqual(jp_date(moment), "2026年11月24日（令和8年）")

    def test_it_shows_iso_dates_in_other_languages(self):
        with translation.override("en"):
            self.assertEqual(jp_date(datetime.date(2026, 11, 24)), "2026-11-24")
