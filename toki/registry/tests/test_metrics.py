"""要支援者台帳にもとづく共助につなげるデジタル基盤活用 (registry.registry_stage, docs/kpi.md): the stage rises when an
evacuation supporter reads the register through its page; the city's own reads do not count."""

from datetime import date
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from toki.accounts.models import OrgUnit
from toki.areas.models import District
from toki.demo.kpi import create_kpi_demo
from toki.kpi.achievement import fiscal_year_of
from toki.kpi.models import Result
from toki.registry import actions
from toki.registry.models import Consent, Person, RecipientClass, Scope
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import PERSONA_PASSWORD, BaseTestCase

TODAY = date(2026, 12, 6)


@override_settings(**KEYS_V1)
class RegistryStageTests(RegistryLoginMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan, _hana = create_kpi_demo(PERSONA_PASSWORD)
        rows = [person_row("A1", name="相川 一", name_kana="アイカワ ハジメ"),
                person_row("R1", name="両津 一", name_kana="リョウツ ハジメ", district="ryotsu")]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
            welfare = OrgUnit.objects.get(name="佐渡市社会福祉協議会")
            actions.register_recipient(actor=cls.alice, org_unit=welfare, recipient_class=RecipientClass.MINSEI,
                                       agreement_on=TODAY, pledge_on=TODAY, training_on=TODAY)
            for person in Person.objects.all():
                actions.record_consent(actor=cls.alice, person=person, recipient_class=RecipientClass.MINSEI,
                                       scope=Scope.ROSTER, state=Consent.State.CONSENTED, text_version="2026-1",
                                       method=Consent.Method.MAIL)

    def read_district(self, user, code):
        self.login(user)  # with the registry's second factor given
        url = reverse("registry:district", args=[District.objects.get(code=code).pk])
        page = self.client.get(url, {"purpose": "support_planning"})
        self.assertEqual(page.status_code, 200)
        self.client.logout()
        return page

    def stage(self) -> Result | None:
        call_command("kpi_refresh", stdout=StringIO())
        return Result.objects.filter(kpi__code="support-registry", fiscal_year=fiscal_year_of(timezone.localdate())
                                     ).order_by("-recorded_at", "-id").first()

    def test_the_stage_rises_when_a_supporter_reads_the_register_not_when_the_city_does(self):
        self.read_district(self.alice, "ryotsu")  # the city's own use (第49条の11第1項)
        self.assertIsNone(self.stage())
        self.assertContains(self.read_district(self.dave, "aikawa"), "相川 一")  # the 民生委員 of 相川
        result = self.stage()
        self.assertEqual(result.value, 2)  # 1 of 10 districts: 一部地区で導入
        self.assertEqual(result.details["note"], "counted from " + str(timezone.localdate()) + "; 1 of 10 districts")
        self.assertContains(self.client.get(reverse("kpi:kpi", args=["support-registry"])), "一部地区で導入")
