from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.test import BaseTestCase
from toki.transport.fares.models import Holder, QuasiApplication
from toki.transport.fares.testing.oidc_provider import NIIGATA_ADDRESS
from toki.transport.fares.tests.helpers import ProviderMixin

PDF = b"%PDF-1.4\n% evidence\n"


@override_settings(MEDIA_ROOT="/tmp/toki-fares-test-media")
class QuasiTests(ProviderMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.op.person["address"] = dict(NIIGATA_ADDRESS)  # a student living in Niigata city
        self.prove_residency()

    def apply(self, content=PDF, category="student"):
        return self.client.post("/fares/quasi/", {"category": category,
                                                  "evidence": SimpleUploadedFile("proof.pdf", content)})

    def test_a_student_applies_and_staff_approve_until_a_date(self):
        self.assertContains(self.apply(), 'id="quasi-sent"')
        application = QuasiApplication.objects.get()
        self.login(self.alice)
        self.assertContains(self.client.get("/fares/staff/"), f"/fares/staff/applications/{application.pk}/")
        until = timezone.localdate() + timedelta(days=180)
        self.client.post(f"/fares/staff/applications/{application.pk}/", {"decision": "approve",
                                                                         "valid_until": until.isoformat()})
        holder = Holder.objects.get()
        self.assertTrue(holder.eligible_at(timezone.now()))
        self.assertEqual((holder.basis, timezone.localdate(holder.expires_at)), ("quasi", until))
        self.assertTrue(AuditEvent.objects.filter(action="fares.quasi.reviewed", actor=self.alice).exists())

    def test_a_later_login_from_outside_sado_keeps_the_approval(self):
        self.apply()
        self.login(self.alice)
        self.client.post(f"/fares/staff/applications/{QuasiApplication.objects.get().pk}/",
                         {"decision": "approve", "valid_until": (timezone.localdate() + timedelta(days=30))})
        self.client.logout()
        self.prove_residency()
        self.assertTrue(Holder.objects.get().is_resident)

    def test_a_rejection_leaves_the_holder_not_eligible(self):
        self.apply()
        self.login(self.alice)
        self.client.post(f"/fares/staff/applications/{QuasiApplication.objects.get().pk}/", {"decision": "reject"})
        self.assertFalse(Holder.objects.get().is_resident)
        self.assertEqual(QuasiApplication.objects.get().status, "rejected")

    def test_it_refuses_an_approval_without_an_end_date_or_a_second_review(self):
        self.apply()
        pk = QuasiApplication.objects.get().pk
        self.login(self.alice)
        self.assertEqual(self.client.post(f"/fares/staff/applications/{pk}/", {"decision": "approve"}).status_code,
                         400)
        self.client.post(f"/fares/staff/applications/{pk}/", {"decision": "reject"})
        self.assertEqual(self.client.post(f"/fares/staff/applications/{pk}/", {"decision": "reject"}).status_code,
                         400)

    def test_it_refuses_evidence_that_is_not_a_pdf_or_image(self):
        self.assertEqual(self.apply(content=b"MZ\x90\x00 an exe").status_code, 400)
        self.assertEqual(self.apply(category="tourist").status_code, 400)
        self.assertFalse(QuasiApplication.objects.exists())

    def test_it_refuses_a_second_application_while_one_waits(self):
        self.apply()
        self.assertEqual(self.apply().status_code, 400)

    def test_opening_the_evidence_is_audited(self):
        self.apply()
        pk = QuasiApplication.objects.get().pk
        self.login(self.alice)
        response = self.client.get(f"/fares/staff/applications/{pk}/evidence/")
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.assertTrue(AuditEvent.objects.filter(action="fares.quasi.evidence_read").exists())

    def test_outsiders_cannot_list_review_or_open_evidence(self):
        self.apply()
        pk = QuasiApplication.objects.get().pk
        for persona in (self.eve, self.bob, self.carol, self.dave):
            self.client.force_login(persona)
            self.assertEqual(self.client.get("/fares/staff/").status_code, 404)
            self.assertEqual(self.client.get(f"/fares/staff/applications/{pk}/evidence/").status_code, 404)
            self.assertEqual(self.client.post(f"/fares/staff/applications/{pk}/",
                                              {"decision": "approve", "valid_until": "2099-01-01"}).status_code, 404)
        self.assertEqual(QuasiApplication.objects.get().status, "pending")

    def test_only_a_holder_can_apply(self):
        self.client.post("/fares/forget/")
        self.assertRedirects(self.client.get("/fares/quasi/"), "/fares/")
