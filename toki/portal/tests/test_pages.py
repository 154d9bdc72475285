from datetime import UTC, datetime
from unittest import mock

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from toki.alerts.actions.orders import issue_evacuation_order
from toki.alerts.actions.state import apply_telegram
from toki.alerts.tests.telegram_fixtures import sado_warning, store
from toki.portal.actions import set_disaster_mode
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
        # municipality (header), municipality (view), districts, shelters, open shelters, the disaster-mode banner,
        # orders and warnings in force (the hazards the nearest-site finder ranks by)
        with self.assertNumQueries(8):
            self.client.get(reverse("portal:shelters"))

    def test_it_pins_the_query_count_of_the_home_page(self):
        # municipality (header, view), shelter points, districts, orders, warnings, feed freshness, notices,
        # lifelines, open shelters, the disaster-mode banner, orders and warnings for the finder's hazards
        with self.assertNumQueries(13):
            self.client.get(reverse("portal:home"))


class EmptySiteTests(TestCase):
    def test_it_serves_the_home_page_before_any_profile_is_loaded(self):
        self.assertEqual(self.client.get(reverse("portal:home")).status_code, 200)


class SituationTests(BaseTestCase):
    def test_it_leads_with_the_evacuation_orders_in_force(self):
        issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                               hazard="landslide", reason="土砂災害の危険")
        response = self.client.get(reverse("portal:home"))
        self.assertContains(response, "避難指示（警戒レベル4）")
        self.assertContains(response, 'class="order-now level-4"')

    def test_it_never_shows_a_drill(self):
        issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=5,
                               hazard="tsunami", reason="訓練", is_drill=True)
        self.assertNotContains(self.client.get(reverse("portal:home")), "order-now")

    def test_it_shows_the_warnings_for_the_city_in_the_readers_language(self):
        apply_telegram(store(sado_warning(), "t1_VPWW54.xml").pk)
        self.client.get(reverse("portal:choose_language", args=["en"]))
        self.assertContains(self.client.get(reverse("portal:home")), "Heavy Rain Warning")

    def test_it_says_when_it_is_not_receiving_jma_information(self):
        response = self.client.get(reverse("portal:home"))
        self.assertContains(response, "気象庁の情報を受信していません")


class DisasterModeHomeTests(BaseTestCase):
    def test_it_leads_with_what_to_do_now_in_disaster_mode(self):
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True,
                          message="大雨により災害対策本部を設置しました")
        content = self.client.get(reverse("portal:home")).content.decode()
        self.assertIn("大雨により災害対策本部を設置しました", content)
        self.assertLess(content.index('id="what-now-heading"'), content.index('id="warnings-heading"'))

    def test_it_keeps_the_normal_layout_otherwise(self):
        self.assertNotContains(self.client.get(reverse("portal:home")), 'id="what-now-heading"')


class PreparednessPageTests(BaseTestCase):
    def test_it_links_the_hazard_maps_and_the_emergency_numbers(self):
        response = self.client.get(reverse("portal:preparedness"))
        self.assertContains(response, "disaportal.gsi.go.jp")
        self.assertContains(response, 'href="tel:171"')

    def test_it_is_linked_from_the_home_page(self):
        self.assertContains(self.client.get(reverse("portal:home")), reverse("portal:preparedness"))
