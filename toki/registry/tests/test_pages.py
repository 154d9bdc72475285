"""The staff pages through the URLconf: a 民生委員 sees only consented people of his district, with the fields his
class may see; outsiders get 404; every page is no-store; each person shown is in the access log."""

from datetime import date
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from toki.accounts.models import OrgUnit
from toki.areas.models import District
from toki.registry import actions
from toki.registry.models import AccessLog, Consent, Person, RecipientClass, Scope
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase


@override_settings(**KEYS_V1)
class RegistryPageTests(RegistryLoginMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row("A1", name="相川 一", medical_devices="人工呼吸器"),
                person_row("A2", name="相川 二"), person_row("R1", name="両津 一", district="ryotsu")]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
            alice = cls.alice
            actions.register_recipient(actor=alice, org_unit=OrgUnit.objects.get(name="佐渡市社会福祉協議会"),
                                       recipient_class=RecipientClass.MINSEI, agreement_on=date(2026, 4, 1),
                                       pledge_on=date(2026, 4, 1), training_on=date(2026, 5, 1))
            for person in Person.objects.all():
                if person.name in ("相川 一", "両津 一"):
                    actions.record_consent(actor=alice, person=person, recipient_class=RecipientClass.MINSEI,
                                           scope=Scope.ROSTER, state=Consent.State.CONSENTED, text_version="2026-1",
                                           method=Consent.Method.VISIT)
        cls.aikawa = District.objects.get(code="aikawa")
        cls.ryotsu = District.objects.get(code="ryotsu")

    def district_url(self, district, purpose="support_planning"):
        return reverse("registry:district", args=[district.pk]) + (f"?purpose={purpose}" if purpose else "")

    def test_the_minsei_sees_only_consented_people_of_his_district(self):
        self.login(self.dave)
        index = self.client.get(reverse("registry:index"))
        self.assertContains(index, self.aikawa.name)
        self.assertNotContains(index, self.ryotsu.name)
        page = self.client.get(self.district_url(self.aikawa))
        self.assertContains(page, "相川 一")
        self.assertContains(page, "<td>人工呼吸器</td>", html=False)  # a 民生委員 may see the devices
        self.assertContains(page, "<td>佐渡 一郎 長男 090-0000-0001</td>")
        self.assertNotContains(page, "相川 二")  # no consent under opt-in
        self.assertIn("no-store", page["Cache-Control"])
        self.assertEqual(404, self.client.get(self.district_url(self.ryotsu)).status_code)
        log = AccessLog.objects.get()
        self.assertEqual((self.dave.pk, "list", "support_planning"), (log.actor_id, log.action, log.purpose))

    @override_settings(TOKI_REGISTRY_CONSENT_MODE="opt_out")
    def test_under_an_opt_out_ordinance_he_sees_everyone_who_did_not_refuse(self):
        self.login(self.dave)
        page = self.client.get(self.district_url(self.aikawa))
        self.assertContains(page, "相川 一")
        self.assertContains(page, "相川 二")

    def test_the_purpose_is_asked_before_anyone_is_shown(self):
        self.login(self.dave)
        page = self.client.get(self.district_url(self.aikawa, purpose=""))
        self.assertContains(page, 'name="purpose"')
        self.assertNotContains(page, "相川 一")
        self.assertNotContains(self.client.get(self.district_url(self.aikawa, purpose="curiosity")), "相川 一")
        self.assertFalse(AccessLog.objects.exists())

    def test_the_officer_sees_every_district(self):
        self.login(self.alice)
        self.assertContains(self.client.get(self.district_url(self.ryotsu)), "両津 一")

    def test_outsiders_get_404_and_nothing_is_logged(self):
        for user in (self.eve, self.bob, self.carol):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(404, self.client.get(reverse("registry:index")).status_code)
                self.assertEqual(404, self.client.get(self.district_url(self.aikawa)).status_code)
        self.client.logout()
        self.assertEqual(302, self.client.get(self.district_url(self.aikawa)).status_code)
        self.assertFalse(AccessLog.objects.exists())
