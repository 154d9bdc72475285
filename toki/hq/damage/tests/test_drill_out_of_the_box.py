"""Issue 14 item 5: the README's HQ drill works out of the box. The demo loads the 第4号様式 form; without a form
the filing link says what to do instead of a 404; a branch office's district is preselected; errors are in the
reader's language; the place map knows the districts' outlines (it works without map tiles)."""

import json

from django.urls import reverse

from toki.hq.damage.models import DamageReport, FormDefinition
from toki.hq.damage.tests.support import DamageTestCase


class NoFormTests(DamageTestCase):
    def setUp(self):
        super().setUp()
        FormDefinition.objects.update(active=False)

    def test_the_filing_link_explains_instead_of_a_404(self):
        self.login(self.bob)
        response = self.client.get(reverse("damage:new_report", args=[self.incident.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "被害報告の様式（第4号様式）が設定されていません")
        self.assertNotContains(response, "load_damage_form")  # a command is for the administrator only

    def test_the_dashboard_offers_no_filing_button_without_a_form(self):
        self.login(self.bob)
        response = self.client.get(reverse("damage:dashboard", args=[self.incident.pk]))
        self.assertNotContains(response, reverse("damage:new_report", args=[self.incident.pk]))
        self.assertContains(response, "システム管理者に連絡してください")


class FilingFormTests(DamageTestCase):
    def test_a_branch_offices_only_district_is_preselected(self):
        self.login(self.bob)
        response = self.client.get(reverse("damage:new_report", args=[self.incident.pk]) + "?category=casualties")
        self.assertContains(response, f'<option value="{self.ryotsu.pk}" selected>{self.ryotsu.name}</option>',
                            html=True)

    def test_hq_with_every_district_gets_no_preselection(self):
        self.login(self.alice)
        response = self.client.get(reverse("damage:new_report", args=[self.incident.pk]) + "?category=casualties")
        self.assertNotContains(response, f'value="{self.ryotsu.pk}" selected')

    def test_errors_are_in_japanese(self):
        self.login(self.bob)
        response = self.client.post(reverse("damage:new_report", args=[self.incident.pk]), {
            "category": "casualties", "district": ""})
        self.assertContains(response, "数値・説明・写真のいずれかを一つ以上入力してください")
        self.assertFalse(DamageReport.objects.exists())

    def test_a_point_outside_the_city_is_explained_in_japanese(self):
        self.login(self.bob)
        response = self.client.post(reverse("damage:new_report", args=[self.incident.pk]), {
            "category": "casualties", "district": self.ryotsu.pk, "latitude": "35.68", "longitude": "139.76",
            "count_casualties_injured_minor": "1"})
        self.assertContains(response, "地点が市の外です")

    def test_the_place_map_carries_the_outlines_of_the_districts_one_reports_for(self):
        self.login(self.bob)
        response = self.client.get(reverse("damage:new_report", args=[self.incident.pk]) + "?category=casualties")
        districts = json.loads(response.content.decode().split('id="damage-map-districts" type="application/json">')[1]
                               .split("</script>")[0])
        self.assertEqual([d["name"] for d in districts], [self.ryotsu.name])
        self.assertEqual(districts[0]["boundary"]["type"] in ("Polygon", "MultiPolygon"), True)
