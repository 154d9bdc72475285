from datetime import UTC, datetime
from unittest import mock

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from toki.shelters.models import Shelter
from toki.test import BaseTestCase

GSI_FILE = "toki/demo/data/shitei_kinkyu_hinanbasho_152242.geojson"


class PublicPagesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("import_shelters", GSI_FILE, no_progress=True, verbosity=0)

    def test_it_shows_the_shelter_count_and_districts_on_the_home_page(self):
        response = self.client.get(reverse("portal:home"))
        self.assertContains(response, f"{Shelter.objects.count()} か所")
        self.assertContains(response, "両津")

    def test_it_dates_the_home_page_with_the_japanese_era(self):
        with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 11, 24, 1, 0, tzinfo=UTC)):
            response = self.client.get(reverse("portal:home"))
        self.assertContains(response, "2026年11月24日（令和8年）")

    def test_it_lists_every_shelter_by_district(self):
        response = self.client.get(reverse("portal:shelters"))
        for shelter in Shelter.objects.all():
            self.assertContains(response, f'id="shelter-{shelter.pk}"')
        self.assertContains(response, 'id="district-ryotsu"')

    def test_it_gives_the_map_its_points_as_json_not_html(self):
        response = self.client.get(reverse("portal:shelters"))
        self.assertContains(response, '<script id="shelter-points" type="application/json">')

    def test_it_pins_the_query_count_of_the_shelters_page(self):
        # municipality (header), municipality (view), districts, shelters
        with self.assertNumQueries(4):
            self.client.get(reverse("portal:shelters"))

    def test_it_pins_the_query_count_of_the_home_page(self):
        with self.assertNumQueries(4):
            self.client.get(reverse("portal:home"))


class EmptySiteTests(TestCase):
    def test_it_serves_the_home_page_before_any_profile_is_loaded(self):
        self.assertEqual(self.client.get(reverse("portal:home")).status_code, 200)
