"""安否確認, the rest, through the real entry points: an officer assigns supporters on the registry page, a
supporter reads their own list (list.json, the minimum fields, each look logged) and sends answers through the
sync endpoint (each event on its own, idempotent, the conflict rule), the ladder's periodic job
(`registry_safety_escalate`) moves people up and makes tasks, and the HQ board names the people not yet
confirmed for registry users under a disaster activation (logged)."""

import json
import uuid
from datetime import date, timedelta
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
    SafetyAssignment,
    SafetyReport,
    SafetyRound,
    SafetyStatus,
    SafetySyncEvent,
    SafetyTask,
    Scope,
)
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin

LIST = "/registry/safety/mine/list.json"
EVENTS = "/registry/safety/mine/events"


def answer(round_id, person_id, status, *, source="supporter", relation="", step="", at=None, event_id=None):
    return {"id": event_id or str(uuid.uuid4()), "type": "answer",
            "occurred_at": (at or timezone.now()).isoformat(),
            "payload": {"round": round_id, "person": person_id, "status": status, "source": source,
                        "relation": relation, "step": step}}


@override_settings(TASKS=DATABASE_TASKS, **KEYS_V1)
class SupporterTests(RegistryLoginMixin, QueueMixin, ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()
        rows = [person_row("A1", name="相川 一", name_kana="アイカワ ハジメ", district="aikawa"),
                person_row("A2", name="相川 二郎", name_kana="アイカワ ジロウ", birth_date="1940-02-02",
                           district="aikawa", phone="0259-00-0002"),
                person_row("R1", name="両津 花子", name_kana="リョウツ ハナコ", district="ryotsu")]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
            actions.register_recipient(actor=cls.alice, org_unit=OrgUnit.objects.get(name="佐渡市社会福祉協議会"),
                                       recipient_class=RecipientClass.MINSEI, agreement_on=date(2026, 4, 1),
                                       pledge_on=date(2026, 4, 1), training_on=date(2026, 5, 1))
            cls.people = {p.name: p for p in Person.objects.all()}
            actions.record_consent(actor=cls.alice, person=cls.people["相川 一"],
                                   recipient_class=RecipientClass.MINSEI, scope=Scope.ROSTER,
                                   state=Consent.State.CONSENTED, text_version="2026-1", method=Consent.Method.VISIT)
        cls.aikawa = District.objects.get(code="aikawa")
        cls.ryotsu = District.objects.get(code="ryotsu")

    def order(self, *districts):
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=list(districts), level=4, hazard="flood",
                                   reason="洪水")
        return SafetyRound.objects.get(closed_at__isnull=True)

    def assign(self, person, user):
        self.login(self.alice)
        return self.client.post(reverse("registry:person_supporters", args=[person.pk]),
                                {"op": "assign", "supporter": user.username})

    def activate(self, *districts):
        actions.declare_activation(actor=self.alice, districts=list(districts), reason="大雨",
                                   expires_at=timezone.now() + timedelta(hours=6))

    def send(self, *events):
        response = self.client.post(EVENTS, content_type="application/json",
                                    data=json.dumps({"device_id": "phone-1", "events": list(events)}))
        self.assertEqual(200, response.status_code, response.content)
        return response.json()["results"]

    def dave_with_both_assigned(self):
        round_ = self.order(self.aikawa)
        for name in ("相川 一", "相川 二郎"):
            self.assertEqual(302, self.assign(self.people[name], self.dave).status_code)
        self.login(self.dave)
        return round_

    # --- assignment and the list ----------------------------------------------------------------------------

    def test_a_supporter_sees_only_the_assigned_people_he_may_see_with_the_minimum_fields(self):
        round_ = self.dave_with_both_assigned()
        lines = self.client.get(LIST).json()["lines"]
        self.assertEqual(["相川 一"], [line["name"] for line in lines])  # 相川 二郎 has not consented
        self.assertEqual({"round", "person", "drill", "name", "address", "phone", "status", "source", "relation",
                          "next_step", "due", "updated_at"}, set(lines[0]))
        self.assertEqual((round_.pk, Safety.UNCONFIRMED, "message"),
                         (lines[0]["round"], lines[0]["status"], lines[0]["next_step"]))
        self.assertEqual(1, AccessLog.objects.filter(actor=self.dave, purpose="disaster_response").count())

    def test_an_activation_shows_the_supporter_everyone_assigned_to_him(self):
        self.dave_with_both_assigned()
        self.activate(self.aikawa)
        lines = self.client.get(LIST).json()["lines"]
        self.assertEqual({"相川 一", "相川 二郎"}, {line["name"] for line in lines})
        self.assertTrue(AccessLog.objects.filter(actor=self.dave, basis=AccessLog.Basis.DISASTER).exists())

    def test_nobody_unassigned_is_on_the_list(self):
        self.order(self.aikawa)
        self.login(self.dave)
        self.assertEqual([], self.client.get(LIST).json()["lines"])

    def test_only_a_cleared_recipient_covering_the_district_can_be_assigned(self):
        response = self.assign(self.people["両津 花子"], self.dave)  # dave's area is 相川
        self.assertEqual(400, response.status_code)
        self.assertContains(response, "not a member of a cleared recipient", status_code=400)
        self.assertEqual(400, self.assign(self.people["相川 一"], self.eve).status_code)
        self.assertFalse(SafetyAssignment.objects.exists())

    def test_outsiders_get_404_and_anonymous_401(self):
        person = self.people["相川 一"]
        for user in (self.eve, self.bob, self.dave):
            self.login(user)
            self.assertEqual(404, self.client.get(reverse("registry:person_supporters", args=[person.pk])).status_code)
        for user in (self.eve, self.bob):
            self.login(user)
            self.assertEqual(404, self.client.get(reverse("registry:safety_mine")).status_code)
            self.assertEqual(404, self.client.get(LIST).status_code)
            self.assertEqual(404, self.client.post(EVENTS, content_type="application/json", data="{}").status_code)
        self.client.logout()
        self.assertEqual(401, self.client.get(LIST).status_code)
        self.assertEqual(401, self.client.post(EVENTS, content_type="application/json", data="{}").status_code)

    def test_the_page_is_a_shell_without_registry_data(self):
        self.dave_with_both_assigned()
        page = self.client.get(reverse("registry:safety_mine"))
        self.assertEqual(200, page.status_code)
        self.assertNotContains(page, "相川 一")
        self.assertContains(page, 'data-toki-store="toki-registry-safety"')
        self.assertContains(page, "shelterops/store.js")
        self.assertContains(page, "shelterops/sync.js")
        worker = self.client.get(reverse("registry:safety_mine_sw"))
        self.assertIn("TOKI_PRECACHE", worker.content.decode())
        self.assertIn('TOKI_CHECKER_URL = "/registry/safety/mine/"', worker.content.decode())
        self.assertNotIn("list.json", worker.content.decode())

    def test_a_registry_user_without_a_fresh_second_factor_is_sent_to_give_it(self):
        self.dave_with_both_assigned()
        self.client.logout()
        super(RegistryLoginMixin, self).login(self.dave)  # logged in, no second factor
        self.assertRedirects(self.client.get(LIST), f"/registry/second-factor/?next={LIST.replace('/', '%2F')}",
                             fetch_redirect_response=False)

    # --- the sync endpoint ----------------------------------------------------------------------------------

    def test_each_event_is_checked_on_its_own_and_a_bad_one_blocks_nothing(self):
        round_ = self.dave_with_both_assigned()
        mine, hidden = self.people["相川 一"], self.people["相川 二郎"]
        bad_status = answer(round_.pk, mine.pk, "fine")
        no_relation = answer(round_.pk, mine.pk, Safety.SAFE_AT_HOME, source="relative")
        not_mine = answer(round_.pk, hidden.pk, Safety.SAFE_AT_HOME)
        good = answer(round_.pk, mine.pk, Safety.SAFE_AT_HOME, source="relative", relation="長男", step="call")
        results = self.send(bad_status, {"id": "not-a-uuid"}, no_relation, not_mine, good)
        self.assertEqual(["rejected", "rejected", "rejected", "rejected", "applied"], [r["status"] for r in results])
        self.assertIn("payload.status", results[0]["error"])
        self.assertIn("id:", results[1]["error"])
        self.assertIn("relation", results[2]["error"])
        self.assertIn("no such person", results[3]["error"])
        status = SafetyStatus.objects.get(round=round_, person=mine)
        self.assertEqual((Safety.SAFE_AT_HOME, "relative", "長男", 2),
                         (status.status, status.source, status.relation, status.steps_tried))
        self.assertEqual(Safety.UNCONFIRMED, SafetyStatus.objects.get(round=round_, person=hidden).status)

    def test_a_resent_event_is_answered_duplicate_and_recorded_once(self):
        round_ = self.dave_with_both_assigned()
        event = answer(round_.pk, self.people["相川 一"].pk, Safety.NEEDS_RESCUE, step="visit")
        self.send(event)
        again = self.send(event)
        self.assertEqual(("duplicate", "applied"), (again[0]["status"], again[0]["original_status"]))
        self.assertEqual(1, SafetyReport.objects.filter(person=self.people["相川 一"]).count())
        self.assertEqual(1, SafetySyncEvent.objects.count())

    def test_a_weaker_answer_after_needs_rescue_is_kept_for_staff_and_staff_can_overwrite(self):
        round_ = self.dave_with_both_assigned()
        person = self.people["相川 一"]
        self.send(answer(round_.pk, person.pk, Safety.NEEDS_RESCUE, step="visit"))
        results = self.send(answer(round_.pk, person.pk, Safety.SAFE_AT_HOME))
        self.assertEqual(("applied", ["held:needs_staff"]), (results[0]["status"], results[0]["warnings"]))
        self.assertEqual(Safety.NEEDS_RESCUE, SafetyStatus.objects.get(round=round_, person=person).status)
        self.assertFalse(SafetyReport.objects.filter(person=person, status=Safety.SAFE_AT_HOME).get().applied)
        self.login(self.alice)
        self.client.post(reverse("registry:safety_record", args=[round_.pk, person.pk]),
                         {"status": Safety.SAFE_AT_HOME, "source": "staff"})
        self.assertEqual(Safety.SAFE_AT_HOME, SafetyStatus.objects.get(round=round_, person=person).status)

    def test_an_answer_older_than_the_current_one_goes_into_the_history_only(self):
        round_ = self.dave_with_both_assigned()
        person = self.people["相川 一"]
        self.send(answer(round_.pk, person.pk, Safety.EVACUATED))
        older = self.send(answer(round_.pk, person.pk, Safety.UNREACHABLE, at=timezone.now() - timedelta(minutes=5)))
        self.assertEqual(["held:older_than_current"], older[0]["warnings"])
        self.assertEqual(Safety.EVACUATED, SafetyStatus.objects.get(round=round_, person=person).status)

    def test_a_batch_that_cannot_be_read_is_refused_whole(self):
        self.dave_with_both_assigned()
        self.assertEqual(400, self.client.post(EVENTS, content_type="application/json", data="{").status_code)
        self.assertEqual(422, self.client.post(EVENTS, content_type="application/json",
                                               data=json.dumps({"device_id": "p", "events": []})).status_code)

    # --- the ladder -------------------------------------------------------------------------------------------

    def escalate(self, minutes_ago):
        SafetyStatus.objects.update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
        SafetyStatus.objects.exclude(escalated_at=None).update(
            escalated_at=timezone.now() - timedelta(minutes=minutes_ago))
        call_command("registry_safety_escalate", stdout=StringIO())

    @override_settings(TOKI_REGISTRY_LADDER_MINUTES=30)
    def test_the_periodic_job_climbs_the_ladder_and_gives_the_supporter_the_task(self):
        round_ = self.dave_with_both_assigned()
        mine = self.people["相川 一"]
        call_command("registry_safety_escalate", stdout=StringIO())
        self.assertFalse(SafetyTask.objects.exists())  # not yet 30 minutes
        self.escalate(31)
        status = SafetyStatus.objects.get(round=round_, person=mine)
        self.assertEqual((1, "message"), (status.rung_due, status.next_step()))
        self.assertEqual(self.dave.pk, SafetyTask.objects.get(status=status, step="message").supporter_id)
        call_command("registry_safety_escalate", stdout=StringIO())  # a second run at once changes nothing
        self.assertEqual(1, SafetyTask.objects.filter(status=status).count())
        self.escalate(31)
        status.refresh_from_db()
        self.assertEqual((2, "call"), (status.rung_due, status.next_step()))
        line = next(line for line in self.client.get(LIST).json()["lines"] if line["person"] == mine.pk)
        self.assertEqual(("call", True), (line["next_step"], line["due"]))
        unassigned = SafetyTask.objects.get(status__person=self.people["相川 二郎"], step="call")
        self.assertIsNone(unassigned.supporter_id)  # dave may not see him: the staff desk's

    @override_settings(TOKI_REGISTRY_LADDER_MINUTES=30)
    def test_an_answer_stops_the_ladder(self):
        round_ = self.dave_with_both_assigned()
        mine = self.people["相川 一"]
        self.send(answer(round_.pk, mine.pk, Safety.SAFE_AT_HOME, source="person"))
        self.escalate(31)
        self.assertFalse(SafetyTask.objects.filter(status__person=mine).exists())

    # --- the HQ board -----------------------------------------------------------------------------------------

    def board_people(self, user):
        self.login(user)
        return self.client.get(reverse("hq:board_part", args=[self.incident.pk, "registry_safety_people"]))

    def test_the_hq_board_names_the_people_not_confirmed_under_an_activation_each_logged(self):
        round_ = self.order(self.aikawa, self.ryotsu)
        self.assertNotContains(self.board_people(self.alice), "相川 一")  # no activation: counts only
        self.activate(self.aikawa)
        self.login(self.dave)
        self.send(answer(round_.pk, self.people["相川 一"].pk, Safety.NEEDS_RESCUE, step="visit"))
        before = AccessLog.objects.filter(actor=self.alice).count()
        part = self.board_people(self.alice).content.decode()
        self.assertIn("相川 一", part)
        self.assertIn("相川 二郎", part)
        self.assertNotIn("両津 花子", part)  # 両津 is not activated
        self.assertLess(part.index("相川 一"), part.index("相川 二郎"))  # 要救助 first
        self.assertEqual(before + 2, AccessLog.objects.filter(actor=self.alice).count())
        self.assertEqual("", self.board_people(self.bob).content.decode().strip())  # not a registry user
        board = self.client.get(reverse("hq:board", args=[self.incident.pk]))
        self.assertNotContains(board, "board-registry-people")
