"""The public shelter pages after issue 14 (items 2–4): one entry per site, open shelters first with address,
directions and crowding in plain words, names readable in Latin letters on en/zh/ko, the municipality's own
translation preferred. Seeded through the real URLs (the import command, the staff opening URL)."""

import re
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from toki.hq.actions import open_incident
from toki.shelters.models import Shelter
from toki.shelters.tests.files import GSI_EMERGENCY, GSI_SHELTERS
from toki.test import BaseTestCase


class ShelterSitePagesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("import_shelters", str(GSI_SHELTERS), str(GSI_EMERGENCY), "--no-progress", stdout=StringIO())
        cls.incident = open_incident(acting_user=cls.alice, municipality=cls.municipality, name="大雨",
                                     kind="heavy_rain")
        cls.school = Shelter.objects.get(name="両津小学校体育館")

    def open_school(self):
        self.login(self.alice)
        response = self.client.post(reverse("shelters_open"), {"shelter": self.school.pk,
                                                               "incident": self.incident.pk})
        self.assertEqual(response.status_code, 302)
        self.client.logout()

    def page(self, name="portal:shelters", language="ja"):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = self.client.get(reverse(name)).content.decode()
        self.assertIn(f'<html lang="{language}">', html)
        return html

    def test_every_site_is_listed_once(self):
        html = self.page()
        self.assertEqual(html.count(">七浦小学校体育館<"), 1)
        self.assertEqual(len(re.findall(r'id="shelter-\d+"', html)), 86)

    def test_the_open_shelter_card_has_address_directions_and_crowding_in_plain_words(self):
        self.open_school()
        html = self.page()
        card = html[html.index('id="open-shelters-heading"'):html.index("</section>", html.index("open-shelters"))]
        self.assertIn("両津小学校体育館", card)
        self.assertIn("新潟県佐渡市両津湊200-1", card)
        self.assertIn("混雑状況の報告はまだありません", card)
        self.assertNotIn("不明", card)
        self.assertIn("https://www.google.com/maps/dir/?api=1&amp;travelmode=walking&amp;destination=38.080", card)
        self.assertIn(">道順<", card)

    def test_an_open_site_comes_first_in_its_district(self):
        self.open_school()
        html = self.page()
        ryotsu = html[html.index('id="district-ryotsu"'):]
        first_card = re.search(r'<li class="card[^"]*" id="shelter-(\d+)"', ryotsu)
        self.assertEqual(int(first_card.group(1)), self.school.pk)
        self.assertIn(f'class="card is-open" id="shelter-{self.school.pk}"', html)

    def test_tourists_read_names_and_addresses_in_latin_letters(self):
        self.open_school()
        for language in ("en", "zh-hans", "ko"):
            html = self.page(language=language)
            self.assertIn('<span class="local-name">Ryoutsu shou gakkou taiiku kan</span>', html, language)
            self.assertIn("Niigata ken Sado shi Ryoutsu minato 200-1", html, language)

    def test_the_municipalitys_own_translation_wins(self):
        Shelter.objects.filter(pk=self.school.pk).update(translations={"en": {"name": "Ryotsu Elementary School Gym"}})
        html = self.page(language="en")
        self.assertIn('<span class="local-name">Ryotsu Elementary School Gym</span>', html)
        self.assertNotIn("Ryoutsu shou gakkou taiiku kan", html)

    def test_the_crowding_words_are_translated(self):
        self.open_school()
        self.assertIn("No report on crowding yet", self.page(language="en"))

    def test_hq_gives_a_site_its_own_english_name_through_the_edit_page(self):
        self.login(self.alice)
        response = self.client.post(reverse("shelters_edit_shelter", args=[self.school.pk]), {
            "kind": "", "capacity": "", "phone": "", "contact_name": "", "contact_email": "",
            "accessibility_notes": "", "name_en": "Ryotsu Elementary School Gym", "address_zh_hans": "两津凑200-1"})
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        self.school.refresh_from_db()
        self.assertEqual(self.school.translations, {"en": {"name": "Ryotsu Elementary School Gym"},
                                                    "zh-hans": {"address": "两津凑200-1"}})
        self.assertIn('<span class="local-name">两津凑200-1</span>', self.page(language="zh-hans"))
