"""Consent mailings through the URLconf: the cohort (未回答, expiring within N days, per district), the A4 forms
with the text version, boxes and a reply code (each person a logged print), answers recorded by the code as
consent data (method mail, text version, date, validity), chasing non-responders (second mailing, visit list), the
figures, and outsiders refused."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from toki.areas.models import District
from toki.registry import actions, mailings
from toki.registry.applications import TEXT_VERSION
from toki.registry.models import AccessLog, Consent, Mailing, MailingItem, Person, RecipientClass, Scope
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase

State = Consent.State


@override_settings(**KEYS_V1)
class MailingTests(RegistryLoginMixin, BaseTestCase):
    aikawa: District
    people: dict[str, Person]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row("A1", name="相川 答済"), person_row("A2", name="相川 未回答"),
                person_row("A3", name="相川 期限"), person_row("R1", name="両津 未回答", district="ryotsu")]
        today = timezone.localdate()
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
            cls.people = {p.name: p for p in Person.objects.all()}
            for name, state, until in (("相川 答済", State.CONSENTED, today + timedelta(days=300)),
                                       ("相川 未回答", State.NO_ANSWER, None),
                                       ("相川 期限", State.DECLINED, today + timedelta(days=20))):
                actions.record_consent(actor=cls.alice, person=cls.people[name],
                                       recipient_class=RecipientClass.MINSEI, scope=Scope.ROSTER, state=state,
                                       text_version="2025-1", method=Consent.Method.MAIL,
                                       valid_from=today - timedelta(days=30), valid_until=until)
        cls.aikawa = District.objects.get(code="aikawa")

    def make(self, **data):
        self.login(self.alice)
        return self.client.post(reverse("registry:mailings"), {"valid_years": "1", **data})

    def names_in(self, mailing) -> set[str]:
        names = {p.pk: n for n, p in self.people.items()}
        return {names[i.person_id] for i in mailing.items.all()}

    def test_the_unanswered_cohort_per_district(self):
        response = self.make(cohort="unanswered", district=str(self.aikawa.pk))
        mailing = Mailing.objects.get()
        self.assertRedirects(response, reverse("registry:mailing", args=[mailing.pk]))
        self.assertEqual({"相川 未回答"}, self.names_in(mailing))
        self.make(cohort="unanswered")
        self.assertEqual({"相川 未回答", "両津 未回答"}, self.names_in(Mailing.objects.order_by("-id").first()))

    def test_the_expiring_cohort(self):
        self.make(cohort="expiring", days="30")
        self.assertEqual({"相川 期限"}, self.names_in(Mailing.objects.get()))
        self.assertEqual(400, self.make(cohort="expiring").status_code)  # the days are needed
        self.assertEqual(400, self.make(cohort="expiring", days="5").status_code)  # nobody: nothing to send
        self.assertEqual(1, Mailing.objects.count())

    def test_the_print_is_one_a4_page_per_person_each_a_logged_look(self):
        self.make(cohort="unanswered")
        mailing = Mailing.objects.get()
        page = self.client.get(reverse("registry:mailing_print", args=[mailing.pk]))
        self.assertContains(page, "size: A4 portrait")
        self.assertContains(page, 'class="sheet"', count=2)
        self.assertContains(page, f'data-text-version="{TEXT_VERSION}"', count=2)
        self.assertContains(page, "相川 未回答")
        self.assertContains(page, "<svg", count=2)  # the QR code of the reply code
        for item in mailing.items.all():
            self.assertContains(page, mailings.shown_code(item.reply_code))
        looks = AccessLog.objects.filter(action="print", purpose="consent_followup")
        self.assertEqual({i.person_id for i in mailing.items.all()}, set(looks.values_list("person_id", flat=True)))
        self.assertIn("no-store", page["Cache-Control"])

    def test_answers_are_recorded_by_the_reply_code_as_consent_data(self):
        self.make(cohort="unanswered", district=str(self.aikawa.pk))
        item = MailingItem.objects.get()
        received = timezone.localdate()
        typed = item.reply_code[:4].lower() + " - " + item.reply_code[4:]  # as staff type it
        response = self.client.post(reverse("registry:mailing_answers"), {
            "code": typed, "received_on": received.isoformat(), "box_minsei_roster": "consented",
            "box_minsei_plan": "declined", "box_police_roster": ""})
        self.assertEqual(302, response.status_code)
        self.assertNotIn(item.reply_code, response["Location"])
        page = self.client.get(response["Location"])
        self.assertContains(page, f'data-done="{mailings.shown_code(item.reply_code)}"')
        rows = Consent.objects.filter(person_id=item.person_id, text_version=TEXT_VERSION)
        self.assertEqual({("minsei", "roster", State.CONSENTED), ("minsei", "plan", State.DECLINED)},
                         set(rows.values_list("recipient_class", "scope", "state")))
        consent = rows.get(scope="roster")
        self.assertEqual((Consent.Method.MAIL, received), (consent.method, consent.valid_from))
        self.assertIn((consent.valid_until - received).days, (364, 365))  # one year, the mailing's validity
        again = self.client.post(reverse("registry:mailing_answers"), {
            "code": item.reply_code, "received_on": received.isoformat(), "everything": "consented"})
        self.assertContains(again, "already recorded", status_code=400)
        self.assertEqual(2, rows.count())

    def test_an_unknown_code_or_an_empty_form_is_said_so(self):
        self.make(cohort="unanswered")
        item = MailingItem.objects.first()
        today = timezone.localdate().isoformat()
        page = self.client.post(reverse("registry:mailing_answers"), {"code": "ZZZZ-ZZZZ", "received_on": today})
        self.assertContains(page, "この返信番号の用紙はありません", status_code=400)  # the staff page is in Japanese
        page = self.client.post(reverse("registry:mailing_answers"), {"code": item.reply_code, "received_on": today})
        self.assertContains(page, "no box ticked", status_code=400)
        self.assertFalse(Consent.objects.filter(text_version=TEXT_VERSION).exists())

    def test_figures_and_chasing_non_responders(self):
        self.make(cohort="unanswered")
        mailing = Mailing.objects.get()
        first, second = mailing.items.order_by("id")
        today = timezone.localdate().isoformat()
        self.client.post(reverse("registry:mailing_answers"), {"code": first.reply_code, "received_on": today,
                                                               "everything": "declined"})
        figures = mailings.figures(mailing)
        self.assertEqual((2, 1, 0, 1, 1), (figures.sent, figures.answered, figures.agreed, figures.refused,
                                           figures.no_answer))
        page = self.client.post(reverse("registry:mailing", args=[mailing.pk]), {"after_days": "0", "how": "mail"})
        self.assertEqual(302, page.status_code)
        chase = Mailing.objects.get(parent=mailing)
        self.assertEqual([second.person_id], [i.person_id for i in chase.items.all()])
        self.assertNotEqual(second.reply_code, chase.items.get().reply_code)
        self.client.post(reverse("registry:mailing", args=[mailing.pk]), {"after_days": "0", "how": "visit"})
        visits = self.client.get(reverse("registry:mailing_visits", args=[mailing.pk]))
        names = {p.pk: n for n, p in self.people.items()}
        self.assertContains(visits, names[second.person_id])
        self.assertNotContains(visits, names[first.person_id])
        self.assertEqual(1, mailings.figures(mailing).visits)

    def test_nobody_is_chased_before_the_days_have_passed(self):
        self.make(cohort="unanswered")
        mailing = Mailing.objects.get()
        page = self.client.post(reverse("registry:mailing", args=[mailing.pk]), {"after_days": "30", "how": "mail"})
        self.assertEqual(400, page.status_code)
        self.assertEqual(1, Mailing.objects.count())

    def test_outsiders_get_404(self):
        self.make(cohort="unanswered")
        mailing = Mailing.objects.get()
        item = mailing.items.first()
        for user in (self.dave, self.eve, self.bob):
            self.login(user)
            with self.subTest(user=user.username):
                for name, args in (("mailings", []), ("mailing", [mailing.pk]), ("mailing_print", [mailing.pk]),
                                   ("mailing_visits", [mailing.pk]), ("mailing_answers", [])):
                    self.assertEqual(404, self.client.get(reverse(f"registry:{name}", args=args)).status_code)
                self.assertEqual(404, self.client.post(reverse("registry:mailing_answers"), {
                    "code": item.reply_code, "received_on": timezone.localdate().isoformat(),
                    "everything": "consented"}).status_code)
        self.assertFalse(AccessLog.objects.exists())
        self.assertFalse(Consent.objects.filter(text_version=TEXT_VERSION).exists())

    def test_the_list_costs_the_same_queries_for_one_or_many_mailings(self):
        self.make(cohort="unanswered")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(200, self.client.get(reverse("registry:mailings")).status_code)
            return len(captured)

        one = queries()
        self.make(cohort="unanswered", district=str(self.aikawa.pk))
        self.make(cohort="expiring", days="30")
        self.assertEqual(3, Mailing.objects.count())
        self.assertEqual(one, queries())
