"""Issue 13 findings 13 and 15: a report's point lies in its district; a correction's reason stays out of the
chronology."""

from django.urls import reverse

from toki.hq.damage.models import DamageReport
from toki.hq.damage.tests.support import DamageTestCase

API = "/api/v1/hq/damage"


class ReportPlaceTests(DamageTestCase):
    def test_it_refuses_a_form_report_of_bobs_district_placed_in_another_district(self):
        self.login(self.bob)
        response = self.client.post(reverse("damage:new_report", args=[self.incident.pk]), {
            "category": "housing", "district": self.ryotsu.pk, "latitude": self.aikawa.centre_lat,
            "longitude": self.aikawa.centre_lon, "count_housing_total_collapse_buildings": "1"})
        self.assertEqual(response.status_code, 200)
        # In the reader's language (Japanese by default), naming both districts.
        self.assertContains(response, f"地点は {self.ryotsu.name} ではなく {self.aikawa.name} にあります")
        self.assertFalse(DamageReport.objects.exists())

    def test_it_refuses_an_api_report_placed_in_another_district_naming_the_field(self):
        self.login(self.bob)
        response = self.client.post(f"{API}/incidents/{self.incident.pk}/reports", {
            "category": "roads", "district": "ryotsu", "latitude": self.aikawa.centre_lat,
            "longitude": self.aikawa.centre_lon, "counts": {"sites_roads": 1}}, content_type="application/json")
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("location", response.json()["errors"])
        self.assertFalse(DamageReport.objects.exists())

    def test_it_refuses_a_correction_that_moves_the_point_into_another_district(self):
        report = self.file({"sites_roads": 1}, user=self.bob, latitude=self.ryotsu.centre_lat,
                           longitude=self.ryotsu.centre_lon)
        self.login(self.bob)
        response = self.client.post(f"{API}/reports/{report.pk}/corrections", {
            "reason": "場所の訂正", "counts": {"sites_roads": 1}, "latitude": self.aikawa.centre_lat,
            "longitude": self.aikawa.centre_lon}, content_type="application/json")
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("location", response.json()["errors"])
        self.assertEqual(report.versions.count(), 1)

    def test_it_accepts_a_point_inside_the_chosen_district(self):
        self.login(self.bob)
        response = self.client.post(f"{API}/incidents/{self.incident.pk}/reports", {
            "category": "roads", "district": "ryotsu", "latitude": self.ryotsu.centre_lat,
            "longitude": self.ryotsu.centre_lon, "counts": {"sites_roads": 1}}, content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)


class CorrectionReasonTests(DamageTestCase):
    """Issue 13 finding 15: a correction's free-text reason may name people; it stays out of the chronology."""

    def test_it_keeps_the_reason_on_the_version_and_out_of_the_board_chronology(self):
        report = self.file({"sites_roads": 1}, user=self.bob)
        self.login(self.bob)
        response = self.client.post(f"{API}/reports/{report.pk}/corrections", {
            "reason": "佐藤花子さんの通報で訂正", "counts": {"sites_roads": 2}}, content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)
        self.login(self.alice)
        chronology = self.client.get(reverse("hq:chronology", args=[self.incident.pk]))
        self.assertContains(chronology, "訂正 第2版 （理由は報告に記録）")
        self.assertNotContains(chronology, "佐藤花子")
        page = self.client.get(reverse("damage:report", args=[report.pk]))
        self.assertContains(page, "佐藤花子さんの通報で訂正")
