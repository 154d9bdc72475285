"""nearest_sites and hazards_in_force: the finder ranks by the hazards of what is in force, through the real order
and opening URLs (issue 14, item 3)."""

from io import StringIO
from typing import Any

from django.core.management import call_command
from django.urls import reverse

from toki.alerts.tests.order_pages import issue_through_pages
from toki.hq.actions import open_incident
from toki.shelters.hazards import hazards_of_order, hazards_of_warning
from toki.shelters.models import Shelter
from toki.shelters.selectors import hazards_in_force, hazards_in_force_at, nearest_sites
from toki.shelters.tests.files import GSI_EMERGENCY, GSI_SHELTERS
from toki.test import BaseTestCase

RYOTSU_PORT = (38.0807, 138.4380)


class HazardWordsTests(BaseTestCase):
    def test_it_reads_the_hazards_of_warning_kinds(self):
        self.assertEqual(hazards_of_warning("大雨警報（土砂災害）"), ("landslide",))
        self.assertEqual(hazards_of_warning("大雨特別警報"), ("landslide", "inland_flood"))
        self.assertEqual(hazards_of_warning("津波警報"), ("tsunami",))
        self.assertEqual(hazards_of_warning("高潮警報"), ("storm_surge",))
        self.assertEqual(hazards_of_warning("洪水警報"), ("flood",))
        self.assertEqual(hazards_of_warning("大雨注意報"), ())
        self.assertEqual(hazards_of_warning("津波予報（若干の海面変動）"), ())

    def test_an_order_of_other_counts_by_the_hazards_its_reason_names(self):
        self.assertEqual(hazards_of_order("landslide", "大雨"), ("landslide",))
        self.assertEqual(hazards_of_order("other", "裏山で崖崩れの恐れ"), ("landslide",))
        self.assertEqual(hazards_of_order("other", "断水"), ())


class NearestSitesTests(BaseTestCase):
    alice: Any  # set by BaseTestCase.setUpTestData (PersonasMixin)
    districts: dict
    incident: Any
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("import_shelters", str(GSI_SHELTERS), str(GSI_EMERGENCY), "--no-progress", stdout=StringIO())
        cls.incident = open_incident(acting_user=cls.alice, municipality=cls.municipality, name="大雨",
                                     kind="heavy_rain")

    def issue_order(self, hazard: str, district: str = "ryotsu", *, drill: bool = False):
        self.login(self.alice)
        response = issue_through_pages(self.client, districts=[self.districts[district].pk], level=4, hazard=hazard,
                                       reason="危険な場所から全員避難", drill=drill)
        self.assertEqual(response.status_code, 302, response.content[:500])

    def open_site(self, name: str) -> Shelter:
        site = Shelter.objects.filter(name=name, is_emergency_site=True).get()
        self.login(self.alice)
        response = self.client.post(reverse("shelters_open"), {"shelter": site.pk, "incident": self.incident.pk})
        self.assertEqual(response.status_code, 302)
        return site

    def test_nothing_in_force_means_no_hazard(self):
        self.assertEqual(hazards_in_force(self.municipality), ())

    def test_an_order_puts_its_hazard_in_force_for_its_district_only(self):
        self.issue_order("tsunami")
        self.assertEqual(hazards_in_force(self.municipality, self.districts["ryotsu"]), ("tsunami",))
        self.assertEqual(hazards_in_force(self.municipality, self.districts["aikawa"]), ())
        self.assertEqual(hazards_in_force_at(RYOTSU_PORT, self.municipality), ("tsunami",))

    def test_a_drill_order_puts_no_hazard_in_force(self):
        self.issue_order("tsunami", drill=True)
        self.assertEqual(hazards_in_force(self.municipality), ())

    def test_it_puts_sites_designated_for_the_hazard_first_and_says_which_are_not(self):
        # 両津小学校体育館 (300 m) is not designated for tsunamis; 市役所両津支所 (240 m) is.
        with self.assertNumQueries(2):
            places = nearest_sites(RYOTSU_PORT, ("tsunami",), limit=200, municipality=self.municipality)
        names = [p.site.name for p in places]
        self.assertEqual(names[0], "市役所両津支所")
        designated = [p.designated_for_hazard for p in places]
        self.assertEqual(designated, sorted(designated, reverse=True))
        school = next(p for p in places if p.site.name == "両津小学校体育館")
        self.assertEqual(school.not_designated_for, ("tsunami",))
        self.assertEqual([str(label) for label in school.not_designated_labels()], ["津波"])

    def test_an_open_site_designated_for_the_hazard_comes_first(self):
        self.open_site("両津中学校体育館")  # 1.5 km away, designated for tsunamis
        self.open_site("両津小学校体育館")  # 300 m away, not designated for tsunamis
        places = nearest_sites(RYOTSU_PORT, ("tsunami",), limit=3)
        self.assertEqual(places[0].site.name, "両津中学校体育館")
        self.assertTrue(places[0].is_open and places[0].designated_for_hazard)
        self.assertEqual(places[0].opening.status, "open")
        self.assertFalse(places[1].is_open)  # a closed designated site before the open undesignated one

    def test_open_only_keeps_the_open_sites(self):
        self.open_site("両津小学校体育館")
        places = nearest_sites(RYOTSU_PORT, ("landslide",), open_only=True)
        self.assertEqual([p.site.name for p in places], ["両津小学校体育館"])
        self.assertTrue(places[0].designated_for_hazard)

    def test_without_hazards_it_ranks_open_then_nearest(self):
        places = nearest_sites(RYOTSU_PORT, limit=3)
        distances = [p.distance_km for p in places]
        self.assertEqual(distances, sorted(distances))
        self.assertTrue(all(p.designated_for_hazard for p in places))
