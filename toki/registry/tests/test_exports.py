"""Prints and CSVs of a list: numbered, for their maker only, expiring; the recipient and time on every page (a
watermark repeated on each printed page, a column on every CSV row); every download counted and every person in
it logged as printed or exported; outsiders get 404."""

from datetime import timedelta

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from toki.areas.models import District
from toki.registry.models import AccessLog, Export
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, import_with_minsei_consent, person_row
from toki.test import BaseTestCase


@override_settings(**KEYS_V1)
class ExportTests(RegistryLoginMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row("E1", name="印刷 一", phone="+81-259-00-0001"), person_row("E2", name="印刷 二")]
        with override_settings(**KEYS_V1):
            import_with_minsei_consent(cls.alice, rows, consented=("印刷 一",))
        cls.aikawa = District.objects.get(code="aikawa")

    def make(self, user, kind):
        self.login(user)
        response = self.client.post(reverse("registry:export_create", args=[self.aikawa.pk]),
                                    {"kind": kind, "purpose": "support_planning"})
        self.assertEqual(302, response.status_code, response.content)
        return Export.objects.latest("id")

    def test_a_print_carries_the_recipient_number_and_time_on_every_page(self):
        export = self.make(self.dave, "print")
        page = self.client.get(reverse("registry:export", args=[export.pk]))
        self.assertContains(page, "印刷 一")
        self.assertNotContains(page, "印刷 二")  # the same people as the list: only the consented
        self.assertContains(page, f"No.{export.pk}")
        self.assertContains(page, str(self.dave))
        self.assertContains(page, "position: fixed")  # repeated on each printed page
        self.assertEqual(1, AccessLog.objects.filter(actor=self.dave, action="print").count())
        self.client.get(reverse("registry:export", args=[export.pk]))
        export.refresh_from_db()
        self.assertEqual((2, 1), (export.downloads, export.people))
        self.assertEqual(2, AccessLog.objects.filter(actor=self.dave, action="print").count())

    def test_a_csv_has_the_watermark_on_every_row_and_no_formula_cells(self):
        export = self.make(self.alice, "csv")
        response = self.client.get(reverse("registry:export", args=[export.pk]))
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        self.assertEqual(3, len(lines))
        for line in lines[1:]:
            self.assertIn(f"No.{export.pk}", line)
        self.assertIn("'+81-259-00-0001", response.content.decode("utf-8-sig"))
        self.assertEqual(2, AccessLog.objects.filter(actor=self.alice, action="export").count())

    def test_an_expired_copy_is_gone(self):
        export = self.make(self.alice, "print")
        Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertEqual(410, self.client.get(reverse("registry:export", args=[export.pk])).status_code)
        self.assertFalse(AccessLog.objects.filter(action="print").exists())

    @override_settings(TOKI_REGISTRY_EXPORT_HOURS="2")
    def test_the_expiry_follows_the_setting(self):
        export = self.make(self.alice, "print")
        self.assertAlmostEqual(2 * 3600, (export.expires_at - export.created_at).total_seconds(), delta=1)

    def test_only_its_maker_downloads_it_and_outsiders_make_none(self):
        export = self.make(self.alice, "print")
        for persona in (self.dave, self.bob, self.eve):
            self.login(persona)
            self.assertEqual(404, self.client.get(reverse("registry:export", args=[export.pk])).status_code)
        for persona in (self.bob, self.eve):
            self.login(persona)
            self.assertEqual(404, self.client.post(reverse("registry:export_create", args=[self.aikawa.pk]),
                                                   {"kind": "print", "purpose": "drill"}).status_code)
        self.assertEqual(1, Export.objects.count())

    def test_bad_input_makes_nothing(self):
        self.login(self.alice)
        for data in ({"kind": "pdf", "purpose": "drill"}, {"kind": "print", "purpose": "curiosity"}):
            response = self.client.post(reverse("registry:export_create", args=[self.aikawa.pk]), data)
            self.assertEqual(400, response.status_code)
        self.assertFalse(Export.objects.exists())
