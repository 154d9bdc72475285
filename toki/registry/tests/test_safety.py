"""安否確認 through the real entry points: an evacuation order (alerts action → event → registry subscriber) opens
a round; a check-in through the shelters sync API (→ shelters.people_checked_in → registry subscriber) turns the
person 避難済 on the HQ board; supporters record answers (also a relative's, marked as such) and attempts up the
ladder; a match is confirmed by staff; outsiders get 404."""

import json
import uuid
from datetime import date
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from toki.accounts.models import OrgUnit
from toki.alerts.actions.orders import issue_evacuation_order
from toki.areas.models import District
from toki.registry import actions
from toki.registry.models import (
    AccessLog,
    Consent,
    Person,
    RecipientClass,
    Safety,
    SafetyReport,
    SafetyRound,
    SafetyStatus,
    Scope,
)
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.shelters.tests.world import ShelterWorldMixin, household_payload
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin

API = "/api/v1/shelters"


def sync_event(type_, payload):
    return {"id": str(uuid.uuid4()), "type": type_, "occurred_at": timezone.now().isoformat(), "payload": payload}


@override_settings(TASKS=DATABASE_TASKS, **KEYS_V1)
class SafetyTests(RegistryLoginMixin, QueueMixin, ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()  # 両津小学校体育館 open for an incident, carol's team runs it
        rows = [person_row("R1", name="両津 花子", name_kana="リョウツ ハナコ", birth_date="1938-04-01",
                           district="ryotsu"),
                person_row("R2", name="両津 次郎", name_kana="リョウツ ジロウ", birth_date="1941-01-01",
                           district="ryotsu"),
                person_row("A1", name="相川 一", name_kana="アイカワ ハジメ", district="aikawa")]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
            actions.register_recipient(actor=cls.alice, org_unit=OrgUnit.objects.get(name="佐渡市社会福祉協議会"),
                                       recipient_class=RecipientClass.MINSEI, agreement_on=date(2026, 4, 1),
                                       pledge_on=date(2026, 4, 1), training_on=date(2026, 5, 1))
            aikawa_person = next(p for p in Person.objects.all() if p.name == "相川 一")
            actions.record_consent(actor=cls.alice, person=aikawa_person, recipient_class=RecipientClass.MINSEI,
                                   scope=Scope.ROSTER, state=Consent.State.CONSENTED, text_version="2026-1",
                                   method=Consent.Method.VISIT)
        cls.ryotsu = District.objects.get(code="ryotsu")
        cls.aikawa = District.objects.get(code="aikawa")
        cls.people = {p.name: p for p in Person.objects.all()}

    def order(self, *districts):
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=list(districts), level=4, hazard="flood",
                                   reason="洪水")
        return SafetyRound.objects.get(closed_at__isnull=True)

    def check_in(self, kana, birth_date):
        payload = household_payload(kana=kana, birth_date=birth_date)
        self.login(self.carol)
        with self.committed():
            response = self.client.post(
                f"{API}/openings/{self.opening.pk}/events", content_type="application/json",
                data=json.dumps({"device_id": "tab-1", "events": [
                    sync_event("register_household", payload),
                    sync_event("check_in", {"household_id": payload["household_id"]})]}))
        self.assertEqual(200, response.status_code, response.content)

    def board_row(self, district):
        self.login(self.alice)
        page = self.client.get(reverse("hq:board_part", args=[self.incident.pk, "registry_safety"]))
        self.assertEqual(200, page.status_code)
        return page

    def test_an_evacuation_order_opens_a_round_for_its_districts(self):
        round_ = self.order(self.ryotsu)
        self.assertEqual([self.ryotsu.pk], [d.pk for d in round_.districts.all()])
        statuses = SafetyStatus.objects.filter(round=round_)
        self.assertEqual({self.people["両津 花子"].pk, self.people["両津 次郎"].pk}, {s.person_id for s in statuses})
        self.assertEqual({Safety.UNCONFIRMED}, {s.status for s in statuses})

    def test_a_shelter_check_in_turns_the_person_evacuated_on_the_hq_board(self):
        round_ = self.order(self.ryotsu)
        before = self.board_row(self.ryotsu)
        self.assertContains(before, f'data-district="{self.ryotsu.pk}"')
        self.check_in("りょうつ　はなこ", "1938-04-01")  # hiragana with a wide space: the same keyed hash
        status = SafetyStatus.objects.get(round=round_, person=self.people["両津 花子"])
        self.assertEqual((Safety.EVACUATED, "shelter", "両津小学校体育館"),
                         (status.status, status.source, status.shelter_name))
        self.assertIsNone(status.match_confirmed_at)
        self.assertEqual(Safety.UNCONFIRMED, SafetyStatus.objects.get(person=self.people["両津 次郎"]).status)
        board = self.client.get(reverse("hq:board", args=[self.incident.pk]))
        row = board.content.decode().split(f'data-district="{self.ryotsu.pk}"')[1].split("</tr>")[0]
        # 未確認 1, 避難済 1, then the other statuses 0, total 2
        self.assertIn('<td class="hq-num">1</td><td class="hq-num">1</td><td class="hq-num">0</td>', row)

    def test_a_check_in_of_someone_not_on_the_register_changes_nothing(self):
        round_ = self.order(self.ryotsu)
        self.check_in("リョウツ ハナコ", "1938-04-02")  # another birth date
        self.assertFalse(SafetyStatus.objects.filter(round=round_).exclude(status=Safety.UNCONFIRMED).exists())

    def test_staff_confirm_a_match(self):
        round_ = self.order(self.ryotsu)
        self.check_in("リョウツ ハナコ", "1938-04-01")
        person = self.people["両津 花子"]
        self.login(self.alice)
        response = self.client.post(reverse("registry:safety_record", args=[round_.pk, person.pk]), {"op": "confirm"})
        self.assertEqual(302, response.status_code)
        status = SafetyStatus.objects.get(round=round_, person=person)
        self.assertEqual(self.alice.pk, status.match_confirmed_by_id)

    def test_a_relatives_answer_is_recorded_as_such_and_needs_the_relation(self):
        round_ = self.order(self.ryotsu)
        person = self.people["両津 次郎"]
        self.login(self.alice)
        url = reverse("registry:safety_record", args=[round_.pk, person.pk])
        refused = self.client.post(url, {"status": Safety.SAFE_AT_HOME, "source": "relative", "step": "call"})
        self.assertEqual(400, refused.status_code)
        self.assertContains(refused, "続柄：本人に代わって答えた人", status_code=400)
        self.client.post(url, {"status": Safety.SAFE_AT_HOME, "source": "relative", "step": "call",
                               "relation": "長女"})
        status = SafetyStatus.objects.get(round=round_, person=person)
        self.assertEqual((Safety.SAFE_AT_HOME, "relative", "長女"), (status.status, status.source, status.relation))
        self.assertEqual(1, SafetyReport.objects.filter(person=person).count())

    def test_attempts_climb_the_ladder(self):
        round_ = self.order(self.ryotsu)
        person = self.people["両津 次郎"]
        self.login(self.alice)
        url = reverse("registry:safety_record", args=[round_.pk, person.pk])
        self.client.post(url, {"status": Safety.UNREACHABLE, "source": "staff", "step": "message"})
        self.client.post(url, {"status": Safety.UNREACHABLE, "source": "staff", "step": "call"})
        page = self.client.get(reverse("registry:safety_district", args=[round_.pk, self.ryotsu.pk]))
        section = page.content.decode().split(f'data-person="{person.pk}"')[1].split("</section>")[0]
        self.assertIn('data-next="visit"', section)  # the next rung
        self.assertIn('data-status="unreachable"', page.content.decode())

    def test_a_supporter_sees_and_records_only_the_people_he_may_see_each_look_logged(self):
        round_ = self.order(self.ryotsu, self.aikawa)
        self.login(self.dave)  # 民生委員 of 相川 (社協): only the consented 相川 一
        page = self.client.get(reverse("registry:safety_district", args=[round_.pk, self.aikawa.pk]))
        self.assertContains(page, "相川 一")
        self.assertEqual(1, AccessLog.objects.filter(actor=self.dave, basis=AccessLog.Basis.NORMAL).count())
        self.assertEqual(404, self.client.get(
            reverse("registry:safety_district", args=[round_.pk, self.ryotsu.pk])).status_code)
        other = self.people["両津 次郎"]
        self.assertEqual(404, self.client.post(reverse("registry:safety_record", args=[round_.pk, other.pk]), {
            "status": Safety.SAFE_AT_HOME, "source": "supporter"}).status_code)
        mine = self.people["相川 一"]
        self.assertEqual(302, self.client.post(reverse("registry:safety_record", args=[round_.pk, mine.pk]), {
            "status": Safety.NEEDS_RESCUE, "source": "supporter", "step": "visit"}).status_code)
        self.assertEqual(Safety.NEEDS_RESCUE, SafetyStatus.objects.get(round=round_, person=mine).status)
        self.assertEqual(404, self.client.post(reverse("registry:safety_rounds"), {
            "districts": [self.aikawa.pk]}).status_code)  # recipients do not open rounds

    def test_hq_opens_and_closes_a_round_by_hand(self):
        self.login(self.alice)
        response = self.client.post(reverse("registry:safety_rounds"), {"districts": [self.aikawa.pk]})
        round_ = SafetyRound.objects.get()
        self.assertRedirects(response, reverse("registry:safety_round", args=[round_.pk]))
        self.assertEqual(1, SafetyStatus.objects.filter(round=round_).count())
        self.client.post(reverse("registry:safety_round", args=[round_.pk]))
        round_.refresh_from_db()
        self.assertIsNotNone(round_.closed_at)
        self.assertEqual(400, self.client.post(reverse("registry:safety_rounds"), {"districts": []}).status_code)

    def test_outsiders_get_404_on_every_safety_page(self):
        round_ = self.order(self.ryotsu)
        person = self.people["両津 花子"]
        urls = [reverse("registry:safety_rounds"), reverse("registry:safety_round", args=[round_.pk]),
                reverse("registry:safety_district", args=[round_.pk, self.ryotsu.pk])]
        for persona in (self.eve, self.bob, self.carol):
            self.login(persona)
            for url in urls:
                self.assertEqual(404, self.client.get(url).status_code, (persona.username, url))
            self.assertEqual(404, self.client.post(reverse("registry:safety_record", args=[round_.pk, person.pk]), {
                "status": Safety.SAFE_AT_HOME, "source": "staff"}).status_code)
        self.assertEqual(Safety.UNCONFIRMED, SafetyStatus.objects.get(round=round_, person=person).status)


@override_settings(TASKS=DATABASE_TASKS, TOKI_REGISTRY_KEYS="", TOKI_REGISTRY_INDEX_KEY="")
class NoRegisterTests(QueueMixin, ShelterWorldMixin, BaseTestCase):
    """A city whose register is kept elsewhere (no keys, nobody on it): an order still opens its round, and a
    shelter check-in's event is delivered, not failed and retried for ever (found by the fault suite)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def test_a_check_in_is_delivered_without_keys_or_people(self):
        from toki.events.models import Delivery

        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                   hazard="flood", reason="洪水")
        self.assertTrue(SafetyRound.objects.filter(closed_at__isnull=True).exists())
        payload = household_payload(kana="りょうつ　はなこ", birth_date="1938-04-01")
        self.login(self.carol)
        with self.committed():
            response = self.client.post(
                f"{API}/openings/{self.opening.pk}/events", content_type="application/json",
                data=json.dumps({"device_id": "tab-1", "events": [
                    sync_event("register_household", payload),
                    sync_event("check_in", {"household_id": payload["household_id"]})]}))
        self.assertEqual(200, response.status_code, response.content)
        self.assertFalse(Delivery.objects.filter(done_at__isnull=True).exists())
