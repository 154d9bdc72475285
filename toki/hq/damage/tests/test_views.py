from django.urls import reverse

from toki.hq.damage import actions
from toki.hq.damage.models import DamageReport, IssuedReport
from toki.hq.damage.tests.support import DamageTestCase, TemporaryMediaMixin
from toki.posts.photos import clean_photo
from toki.posts.tests.support import photo_bytes, upload


class PageTests(DamageTestCase):
    def setUp(self):
        super().setUp()
        self.report = self.file({"sites_roads": 2}, user=self.bob, text="県道 土砂")
        self.issued = actions.issue_report(acting_user=self.alice, incident=self.incident)

    def read_urls(self):
        i, n = self.incident.pk, self.issued.number
        return [
            reverse("damage:index"), reverse("damage:dashboard", args=[i]),
            reverse("damage:issued_list", args=[i]), reverse("damage:issued", args=[i, n]),
            reverse("damage:issued_xlsx", args=[i, n]), reverse("damage:trace", args=[i, n, "sites_roads"]),
            reverse("damage:report", args=[self.report.pk]),
        ]

    def file_urls(self):
        return [reverse("damage:new_report", args=[self.incident.pk]) + "?category=roads",
                reverse("damage:correct", args=[self.report.pk])]

    def test_it_shows_every_page_to_hq(self):
        self.login(self.alice)
        for url in self.read_urls() + self.file_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_lets_readers_read_but_not_file(self):
        self.login(self.carol)  # shelter staff: reads incidents, files nothing
        for url in self.read_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        for url in self.file_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        response = self.client.post(reverse("damage:issued_list", args=[self.incident.pk]), {})
        self.assertEqual(response.status_code, 404)
        response = self.client.post(reverse("damage:confirm", args=[self.report.pk]))
        self.assertEqual(response.status_code, 404)

    def test_it_refuses_outsiders_everywhere(self):
        for user in (self.eve, self.dave):
            self.login(user)
            for url in self.read_urls() + self.file_urls():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
            self.assertEqual(self.client.post(reverse("damage:confirm", args=[self.report.pk])).status_code, 404)
            self.assertEqual(self.client.post(reverse("damage:issued_list", args=[self.incident.pk])).status_code,
                             404)

    def test_it_sends_anonymous_visitors_to_login(self):
        for url in self.read_urls() + self.file_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 302)

    def test_it_files_a_report_from_the_form(self):
        self.login(self.bob)
        url = reverse("damage:new_report", args=[self.incident.pk])
        response = self.client.post(url, {"category": "housing", "district": self.ryotsu.pk,
                                          "count_housing_total_collapse_buildings": "1", "address": "両津湊",
                                          "text": "全壊1棟"})
        report = DamageReport.objects.exclude(pk=self.report.pk).get()
        self.assertRedirects(response, reverse("damage:report", args=[report.pk]))
        self.assertEqual(report.current_version.address, "両津湊")

    def test_it_shows_form_errors_next_to_the_field(self):
        self.login(self.bob)
        url = reverse("damage:new_report", args=[self.incident.pk])
        response = self.client.post(url, {"category": "housing", "district": self.aikawa.pk,
                                          "count_housing_total_collapse_buildings": "1"})
        self.assertEqual(response.status_code, 200)  # 相川 is not bob's district: nothing filed
        self.assertIn("district", response.context["form"].errors)
        self.assertEqual(DamageReport.objects.count(), 1)

    def test_it_offers_branch_staff_only_their_district(self):
        self.login(self.bob)
        response = self.client.get(reverse("damage:new_report", args=[self.incident.pk]) + "?category=roads")
        self.assertEqual(list(response.context["form"].fields["district"].queryset), [self.ryotsu])

    def test_it_corrects_from_the_form_and_shows_the_history(self):
        self.login(self.bob)
        response = self.client.post(reverse("damage:correct", args=[self.report.pk]), {
            "district": self.ryotsu.pk, "count_sites_roads": "3", "reason": "追加1箇所"})
        self.assertRedirects(response, reverse("damage:report", args=[self.report.pk]))
        page = self.client.get(reverse("damage:report", args=[self.report.pk]))
        self.assertContains(page, "追加1箇所")
        self.assertEqual([e["version"].number for e in page.context["history"]], [2, 1])

    def test_it_issues_the_next_report_from_the_page(self):
        self.login(self.alice)
        response = self.client.post(reverse("damage:issued_list", args=[self.incident.pk]), {
            "reporter_name": "防災課 アリス", "note_overview": "大雨により土砂災害"})
        self.assertRedirects(response, reverse("damage:issued", args=[self.incident.pk, 2]))
        self.assertEqual(IssuedReport.objects.get(number=2).notes["overview"], "大雨により土砂災害")

    def test_it_pins_the_dashboard_queries(self):
        for _ in range(5):
            self.file({"sites_roads": 1})
        self.login(self.alice)
        url = reverse("damage:dashboard", args=[self.incident.pk])
        self.client.get(url)
        # session, user, memberships, incident (+ districts), definition, districts, sums, peaks, summary,
        # page count, reports page, and the base template's municipality and site mode
        with self.assertNumQueries(14):
            self.client.get(url)
        for _ in range(5):
            self.file({"lifeline_power_households": 3}, district=self.aikawa)
        with self.assertNumQueries(14):
            self.client.get(url)

    def test_it_marks_drill_pages(self):
        from toki.hq import actions as hq_actions

        drill = hq_actions.open_incident(acting_user=self.alice, municipality=self.municipality, name="総合防災訓練",
                                         kind="earthquake", is_drill=True)
        self.login(self.alice)
        self.assertContains(self.client.get(reverse("damage:dashboard", args=[drill.pk])), "訓練")


class PhotoViewTests(TemporaryMediaMixin, DamageTestCase):
    def setUp(self):
        super().setUp()
        photo = clean_photo(upload(photo_bytes(gps=True)))
        self.report = self.file({"sites_roads": 1}, photos=[photo], user=self.bob)
        self.url = reverse("damage:photo", args=[self.report.photos.get().pk])

    def test_it_serves_a_photo_to_readers_only(self):
        self.login(self.carol)
        response = self.client.get(self.url)
        self.assertEqual((response.status_code, response["Content-Type"]), (200, "image/jpeg"))
        self.assertEqual(response["Cache-Control"], "private, max-age=3600")
        for user in (self.eve, self.dave):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_it_uploads_a_photo_with_a_correction(self):
        self.login(self.bob)
        response = self.client.post(reverse("damage:correct", args=[self.report.pk]), {
            "district": self.ryotsu.pk, "count_sites_roads": "1", "reason": "写真追加",
            "photo": upload(photo_bytes(size=(800, 600)))})
        self.assertRedirects(response, reverse("damage:report", args=[self.report.pk]))
        self.assertEqual(self.report.photos.count(), 2)


class ConfirmViewTests(DamageTestCase):
    def test_it_lets_hq_confirm_from_the_page(self):
        report = self.file({"sites_roads": 1}, user=self.bob)
        self.login(self.alice)
        response = self.client.post(reverse("damage:confirm", args=[report.pk]))
        self.assertRedirects(response, reverse("damage:report", args=[report.pk]))
        report.refresh_from_db()
        self.assertTrue(report.is_confirmed)
        self.assertEqual(self.client.get(reverse("damage:confirm", args=[report.pk])).status_code, 405)


class ListQueryTests(DamageTestCase):
    def counted(self, url) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.get(url)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)

    def test_it_pins_the_queries_of_the_issued_list_and_the_trace(self):
        self.login(self.alice)
        for _ in range(2):
            self.file({"housing_total_collapse_households": 1})
        actions.issue_report(acting_user=self.alice, incident=self.incident)
        issued_list = reverse("damage:issued_list", args=[self.incident.pk])
        trace = reverse("damage:trace", args=[self.incident.pk, 1, "affected_households"])
        # session, user, memberships, incident (+ districts), issued reports, and the base template's two
        with self.assertNumQueries(8):
            self.client.get(issued_list)
        small = self.counted(trace)
        for _ in range(5):
            self.file({"housing_total_collapse_households": 1}, district=self.aikawa)
        actions.issue_report(acting_user=self.alice, incident=self.incident)
        with self.assertNumQueries(8):
            self.client.get(issued_list)
        self.assertEqual(self.counted(reverse("damage:trace", args=[self.incident.pk, 2, "affected_households"])),
                         small)
