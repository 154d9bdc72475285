"""A household tablet answers 安否確認 for the people on the register linked to its household, through the real
entry points: an officer links the person on the registry page, an evacuation order opens the round (alerts
action → event → registry subscriber), the tablet enrolled through its QR link replies on /tablet/reply/
(→ community.safety_reply_recorded → registry subscriber), and the registry's 安否 list and the HQ board show it."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from toki.alerts.actions.orders import issue_evacuation_order
from toki.community.tests.support import CommunityTestCase
from toki.events.models import Event
from toki.events.outbox import deliver
from toki.events.registry import subscriber_named
from toki.hq.actions.incidents import open_incident
from toki.registry.models import HouseholdLink, Person, Safety, SafetyReport, SafetyRound, SafetyStatus
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import DATABASE_TASKS, QueueMixin

SUBSCRIBER = "registry.record_tablet_reply"


@override_settings(TASKS=DATABASE_TASKS, **KEYS_V1)
class TabletSafetyTests(RegistryLoginMixin, QueueMixin, CommunityTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row("R1", name="佐渡 ハナ", name_kana="サド ハナ", birth_date="1936-02-01", district="ryotsu"),
                person_row("R2", name="両津 次郎", name_kana="リョウツ ジロウ", birth_date="1941-01-01",
                           district="ryotsu"),
                person_row("A1", name="中川 フミ", name_kana="ナカガワ フミ", district="aikawa")]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
        cls.people = {p.name: p for p in Person.objects.all()}
        cls.hana_person = cls.people["佐渡 ハナ"]
        cls.incident = open_incident(acting_user=cls.alice, municipality=cls.municipality, name="大雨",
                                     kind="heavy_rain", started_at=timezone.now() - timedelta(hours=1))

    def link(self, person, household):
        self.login(self.alice)
        return self.client.post(reverse("registry:person_household", args=[person.pk]),
                                {"op": "link", "household": household.pk})

    def order(self):
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                   hazard="flood", reason="洪水")
        return SafetyRound.objects.get(closed_at__isnull=True)

    def reply(self, device, status):
        with self.committed():
            response = device.post("/tablet/reply/", {"status": status})
        self.assertIn(response.status_code, (200, 302), response.content[:300])

    def status_of(self, person):
        return SafetyStatus.objects.get(round__closed_at__isnull=True, person=person)

    def test_a_tablet_reply_shows_on_the_safety_list_and_the_hq_board(self):
        self.assertEqual(302, self.link(self.hana_person, self.hana).status_code)
        round_ = self.order()
        self.reply(self.tablet(self.hana), "safe")
        status = self.status_of(self.hana_person)
        self.assertEqual((Safety.SAFE_AT_HOME, "tablet", ""), (status.status, status.source, status.relation))
        self.assertEqual(Safety.UNCONFIRMED, self.status_of(self.people["両津 次郎"]).status)
        self.login(self.alice)
        page = self.client.get(reverse("registry:safety_district", args=[round_.pk, self.districts["ryotsu"].pk]))
        section = page.content.decode().split(f'data-person="{self.hana_person.pk}"')[1].split("</section>")[0]
        self.assertIn('data-status="safe_at_home"', section)
        self.assertIn(str(Safety.SAFE_AT_HOME.label), section)
        part = self.client.get(reverse("hq:board_part", args=[self.incident.pk, "registry_safety"]))
        row = part.content.decode().split(f'data-district="{self.districts["ryotsu"].pk}"')[1].split("</tr>")[0]
        # 未確認 1, 避難済 0, 在宅無事 1
        self.assertIn('<td class="hq-num">1</td><td class="hq-num">0</td><td class="hq-num">1</td>', row)

    def test_a_family_members_call_for_help_is_needs_rescue_from_the_family(self):
        self.link(self.hana_person, self.hana)
        self.order()
        self.reply(self.tablet(self.hana, family_name="佐渡 次郎"), "help")
        status = self.status_of(self.hana_person)
        self.assertEqual((Safety.NEEDS_RESCUE, "tablet", "家族"), (status.status, status.source, status.relation))
        report = SafetyReport.objects.get(person=self.hana_person)
        self.assertIsNone(report.recorded_by)
        self.assertIsNotNone(report.reply_id)

    def test_an_event_delivered_twice_is_recorded_once(self):
        self.link(self.hana_person, self.hana)
        self.order()
        tablet = self.tablet(self.hana)
        self.reply(tablet, "help")
        event = Event.objects.get(name="community.safety_reply_recorded")
        self.assertEqual("skipped", deliver(event.pk, SUBSCRIBER))  # the outbox's own guard
        subscriber = subscriber_named(event.name, SUBSCRIBER)
        assert subscriber is not None
        subscriber.handler(event)  # and the subscriber's, should the outbox run it again
        self.assertEqual(1, SafetyReport.objects.filter(person=self.hana_person).count())
        self.assertEqual(Safety.NEEDS_RESCUE, self.status_of(self.hana_person).status)
        self.reply(tablet, "safe")  # a new answer is a new reply: it counts
        self.assertEqual(Safety.SAFE_AT_HOME, self.status_of(self.hana_person).status)
        self.assertEqual(2, SafetyReport.objects.filter(person=self.hana_person).count())

    def test_an_unlinked_household_changes_nothing(self):
        self.link(self.hana_person, self.hana)
        round_ = self.order()
        self.reply(self.tablet(self.households[1]), "help")  # 本間 トメ 様: nobody on the register linked
        self.assertFalse(SafetyStatus.objects.filter(round=round_).exclude(status=Safety.UNCONFIRMED).exists())
        self.assertEqual(1, Event.objects.filter(name="community.safety_reply_recorded", done_at__isnull=False
                                                 ).count())  # delivered, and nothing to do

    def test_an_unlinked_person_is_not_answered_for(self):
        self.link(self.hana_person, self.hana)
        self.client.post(reverse("registry:person_household", args=[self.hana_person.pk]), {"op": "unlink"})
        self.assertFalse(HouseholdLink.objects.exists())
        self.order()
        self.reply(self.tablet(self.hana), "safe")
        self.assertEqual(Safety.UNCONFIRMED, self.status_of(self.hana_person).status)

    def test_a_reply_without_an_open_round_records_nothing(self):
        self.link(self.hana_person, self.hana)
        self.reply(self.tablet(self.hana), "safe")
        self.assertFalse(SafetyStatus.objects.exists())
        self.order()  # the round opened after the reply: the old answer is not carried into it
        self.run_queued_tasks()
        self.assertEqual(Safety.UNCONFIRMED, self.status_of(self.hana_person).status)

    def test_the_link_page_shows_the_link_and_refuses_another_districts_household(self):
        self.link(self.hana_person, self.hana)
        page = self.client.get(reverse("registry:person_household", args=[self.hana_person.pk]))
        self.assertContains(page, f'data-household="{self.hana.pk}"')
        self.assertContains(page, self.hana.label)
        refused = self.link(self.hana_person, self.nakagawa)  # 相川: not the person's district
        self.assertEqual(400, refused.status_code)
        self.assertEqual(self.hana.pk, HouseholdLink.objects.get(person=self.hana_person).household_id)

    def test_outsiders_are_refused_on_the_link_form(self):
        url = reverse("registry:person_household", args=[self.hana_person.pk])
        for persona in (self.eve, self.bob, self.carol, self.dave, self.kenji):
            self.login(persona)
            self.assertEqual(404, self.client.get(url).status_code, persona.username)
            self.assertEqual(404, self.client.post(url, {"op": "link", "household": self.hana.pk}).status_code)
        self.assertFalse(HouseholdLink.objects.exists())
        self.client.logout()
        self.assertEqual(302, self.client.get(url).status_code)  # to the login page

    @override_settings(TOKI_REGISTRY_LADDER_MINUTES=30)
    def test_the_ladder_counts_the_tablets_question_as_the_message_rung(self):
        from toki.registry.models import SafetyTask

        self.link(self.hana_person, self.hana)
        self.order()  # the tablet shows the order full-screen with 「無事です」/「助けが必要」
        SafetyStatus.objects.update(updated_at=timezone.now() - timedelta(minutes=31))
        call_command("registry_safety_escalate", stdout=StringIO())
        status = self.status_of(self.hana_person)
        self.assertEqual((1, 1, "call"), (status.rung_due, status.steps_tried, status.next_step()))
        report = SafetyReport.objects.get(person=self.hana_person, step="message")
        self.assertEqual("tablet", report.source)
        self.assertFalse(SafetyTask.objects.filter(status=status).exists())
        other = self.status_of(self.people["両津 次郎"])  # no tablet: the message is a task for the staff desk
        self.assertEqual("message", SafetyTask.objects.get(status=other).step)
