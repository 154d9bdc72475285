"""Disaster activation (第49条の11第3項) through the URLconf: HQ widens sharing to the affected districts with a
reason and an expiry; a 民生委員 then sees everyone there (not only the consented), each look tagged 49-11-3; the
banner is on every registry page; it ends, expires, and is reviewed afterwards; nobody else may declare it."""

from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from toki.accounts.models import AuditEvent, OrgUnit
from toki.areas.models import District
from toki.registry import actions
from toki.registry.models import AccessLog, Activation, Consent, Person, RecipientClass, Scope
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase

BANNER = "data-activation="


@override_settings(**KEYS_V1)
class ActivationTests(RegistryLoginMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row("A1", name="相川 一"), person_row("A2", name="相川 二"),
                person_row("R1", name="両津 一", district="ryotsu")]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
            actions.register_recipient(actor=cls.alice, org_unit=OrgUnit.objects.get(name="佐渡市社会福祉協議会"),
                                       recipient_class=RecipientClass.MINSEI, agreement_on=date(2026, 4, 1),
                                       pledge_on=date(2026, 4, 1), training_on=date(2026, 5, 1))
            consented = next(p for p in Person.objects.all() if p.name == "相川 一")
            actions.record_consent(actor=cls.alice, person=consented, recipient_class=RecipientClass.MINSEI,
                                   scope=Scope.ROSTER, state=Consent.State.CONSENTED, text_version="2026-1",
                                   method=Consent.Method.VISIT)
        cls.aikawa = District.objects.get(code="aikawa")
        cls.ryotsu = District.objects.get(code="ryotsu")

    def list_url(self, district):
        return reverse("registry:district", args=[district.pk]) + "?purpose=disaster_response"

    def declare(self, *districts, hours=12, reason="大雨特別警報、土砂災害の危険"):
        self.login(self.alice)
        response = self.client.post(reverse("registry:activations"), {
            "districts": [d.pk for d in districts], "reason": reason, "hours": hours})
        self.client.logout()
        return response

    def test_it_widens_a_minsei_list_to_everyone_in_the_district_and_tags_those_looks(self):
        self.login(self.dave)
        before = self.client.get(self.list_url(self.aikawa))
        self.assertContains(before, "相川 一")
        self.assertNotContains(before, "相川 二")
        self.assertNotContains(before, BANNER)
        self.assertEqual(302, self.declare(self.aikawa).status_code)
        self.login(self.dave)
        after = self.client.get(self.list_url(self.aikawa))
        self.assertContains(after, "相川 二")
        self.assertContains(after, "相川 一")
        self.assertContains(after, BANNER)
        self.assertContains(after, "大雨特別警報")
        bases = dict(AccessLog.objects.filter(actor=self.dave).order_by("-id")[:2]
                     .values_list("person__pk", "basis"))
        by_name = {p.name: p.pk for p in Person.objects.all()}
        self.assertEqual(AccessLog.Basis.DISASTER, bases[by_name["相川 二"]])
        self.assertEqual(AccessLog.Basis.NORMAL, bases[by_name["相川 一"]])  # consent still the narrower basis
        self.assertEqual(404, self.client.get(self.list_url(self.ryotsu)).status_code)  # still his area only

    def test_the_banner_is_on_every_registry_page(self):
        self.declare(self.aikawa)
        self.login(self.dave)
        for url in (reverse("registry:index"), reverse("registry:district", args=[self.aikawa.pk]),
                    self.list_url(self.aikawa)):
            self.assertContains(self.client.get(url), BANNER, msg_prefix=url)

    def test_an_activation_elsewhere_does_not_widen_his_district(self):
        self.declare(self.ryotsu)
        self.login(self.dave)
        self.assertNotContains(self.client.get(self.list_url(self.aikawa)), "相川 二")

    def test_ending_it_narrows_the_list_again(self):
        self.declare(self.aikawa)
        activation = Activation.objects.get()
        self.login(self.alice)
        response = self.client.post(reverse("registry:activation", args=[activation.pk]), {"op": "end"})
        self.assertEqual(302, response.status_code)
        self.login(self.dave)
        page = self.client.get(self.list_url(self.aikawa))
        self.assertNotContains(page, "相川 二")
        self.assertNotContains(page, BANNER)
        self.assertTrue(AuditEvent.objects.filter(action="registry.activation_ended").exists())

    def test_an_expired_activation_shares_nothing(self):
        self.declare(self.aikawa)
        Activation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        self.login(self.dave)
        self.assertNotContains(self.client.get(self.list_url(self.aikawa)), "相川 二")

    def test_it_is_reviewed_after_it_stopped_beside_who_looked(self):
        self.declare(self.aikawa)
        activation = Activation.objects.get()
        self.login(self.dave)
        self.client.get(self.list_url(self.aikawa))
        self.login(self.alice)
        url = reverse("registry:activation", args=[activation.pk])
        early = self.client.post(url, {"op": "review", "review-note": "必要だった"})
        self.assertEqual(400, early.status_code)
        self.assertContains(early, "事後検証は提供の終了後", status_code=400)  # in the reader's language
        self.client.post(url, {"op": "end"})
        page = self.client.get(url)
        self.assertContains(page, "<td>dave</td>", html=False)
        self.assertEqual(302, self.client.post(url, {"op": "review", "review-note": "必要だった"}).status_code)
        activation.refresh_from_db()
        self.assertEqual((self.alice.pk, "必要だった"), (activation.reviewed_by_id, activation.review_note))
        self.assertEqual(400, self.client.post(url, {"op": "review", "review-note": "again"}).status_code)

    def test_it_can_be_extended_within_the_limit(self):
        self.declare(self.aikawa, hours=2)
        activation = Activation.objects.get()
        self.login(self.alice)
        url = reverse("registry:activation", args=[activation.pk])
        self.assertEqual(400, self.client.post(url, {"op": "extend", "extend-hours": 100}).status_code)
        self.assertEqual(302, self.client.post(url, {"op": "extend", "extend-hours": 48}).status_code)
        activation.refresh_from_db()
        self.assertGreater(activation.expires_at, timezone.now() + timedelta(hours=47))

    def test_bad_input_declares_nothing(self):
        for data in ({"districts": [], "reason": "x", "hours": 12},
                     {"districts": [self.aikawa.pk], "reason": "", "hours": 12},
                     {"districts": [self.aikawa.pk], "reason": "x", "hours": 73}):
            with self.subTest(data=data):
                self.login(self.alice)
                self.assertEqual(400, self.client.post(reverse("registry:activations"), data).status_code)
        self.assertFalse(Activation.objects.exists())

    def test_outsiders_and_recipients_may_not_declare_or_see_activations(self):
        self.declare(self.aikawa)
        activation = Activation.objects.get()
        for persona in (self.dave, self.bob, self.carol, self.eve):
            with self.subTest(persona=persona.username):
                self.login(persona)
                self.assertEqual(404, self.client.get(reverse("registry:activations")).status_code)
                self.assertEqual(404, self.client.post(reverse("registry:activations"), {
                    "districts": [self.aikawa.pk], "reason": "x", "hours": 1}).status_code)
                self.assertEqual(404, self.client.post(reverse("registry:activation", args=[activation.pk]),
                                                       {"op": "end"}).status_code)
        self.assertEqual(1, Activation.objects.count())
        activation.refresh_from_db()
        self.assertIsNone(activation.ended_at)
