"""手上げ through the URLconf: the public form (field-by-field errors, rate limit, robot trap, nothing on the register
until approved, encrypted, no value in a URL or the audit), the officers' queue and review (a logged look), approval
through the import's functions (source, consent rows with text version, method and validity), duplicates found by
the keyed hashes and merged, rejection with a reason erasing the values, the paper entry, and outsiders refused."""

import json
from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.areas.models import District
from toki.registry import actions
from toki.registry.applications import SELF_APPLICATION, TEXT_VERSION
from toki.registry.models import AccessLog, Application, Consent, Person, RecipientClass, Scope
from toki.registry.tests.helpers import (
    KEYS_V1,
    KEYS_V2,
    KEYS_V2_V1,
    RegistryLoginMixin,
    csv_bytes,
    person_row,
    write_csv,
)
from toki.test import BaseTestCase

State = Consent.State


@override_settings(**KEYS_V1, TOKI_REGISTRY_APPLICATIONS_PER_ADDRESS=3)
class ApplicationTests(RegistryLoginMixin, BaseTestCase):
    aikawa: District

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.aikawa = District.objects.get(code="aikawa")

    def form_data(self, **changes) -> dict:
        data = {"name": "手上 ハナ", "name_kana": "てあげ はな", "birth_date": "1941-05-06", "sex": "2",
                "district": str(self.aikawa.pk), "address": "佐渡市相川テスト町3", "phone": "０２５９－１１－２２３３",
                "support_reason": "足が悪く遠くまで歩けない", "care_level": "要介護2", "physical_grade": "3",
                "lives_alone": "on", "medical_devices": "在宅酸素", "contact_name": "手上 一郎",
                "contact_relation": "長男", "contact_phone": "090-1111-2222", "applicant": "self",
                "consent_minsei_roster": "on", "consent_minsei_plan": "on", "consent_fire_roster": "on",
                "truthful": "on", "website": ""}
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    def apply(self, **changes):
        return self.client.post(reverse("registry:apply"), self.form_data(**changes))

    def test_the_form_is_public_large_and_shows_the_consent_text_version(self):
        page = self.client.get(reverse("registry:apply"))
        self.assertContains(page, f'data-text-version="{TEXT_VERSION}"')
        self.assertContains(page, 'name="consent_police_plan"')
        self.assertIn("no-store", page["Cache-Control"])

    def test_an_application_waits_for_review_and_reaches_no_register(self):
        response = self.apply()
        self.assertRedirects(response, reverse("registry:apply_sent"))
        application = Application.objects.get()
        self.assertEqual((Application.State.PENDING, Application.Source.WEB, self.aikawa.pk),
                         (application.state, application.source, application.district_id))
        self.assertEqual("0259-11-2233", application.values["phone"])  # full-width digits normalised
        self.assertEqual(State.CONSENTED, application.consents["minsei:roster"])
        self.assertEqual(State.DECLINED, application.consents["police:roster"])  # box left empty
        self.assertFalse(Person.objects.exists())
        self.assertNotIn("手上", response["Location"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM registry_application")
            raw = json.dumps(cursor.fetchall(), ensure_ascii=False, default=str)
        for sentinel in ("手上", "てあげ", "テアゲ", "1941-05-06", "相川テスト町", "在宅酸素"):
            self.assertNotIn(sentinel, raw)
        audit = json.dumps(list(AuditEvent.objects.values("changes")), ensure_ascii=False)
        self.assertNotIn("手上", audit)

    def test_each_bad_field_gets_its_own_message(self):
        page = self.apply(name_kana="Hana", birth_date="1850-01-01", phone="電話なし", district="", truthful=None)
        self.assertEqual(400, page.status_code)
        errors = page.context["form"].errors
        self.assertEqual({"name_kana", "birth_date", "phone", "district", "truthful"}, set(errors))
        self.assertContains(page, "ひらがなかカタカナで書いてください", status_code=400)  # in the default language
        self.assertFalse(Application.objects.exists())

    def test_a_relative_applying_must_say_who_they_are_and_take_responsibility(self):
        page = self.apply(applicant="proxy")
        self.assertEqual({"proxy_name", "proxy_relation", "proxy_phone", "proxy_takes_responsibility"},
                         set(page.context["form"].errors))
        self.apply(applicant="proxy", proxy_name="手上 次郎", proxy_relation="次男", proxy_phone="090-3333-4444",
                   proxy_takes_responsibility="on")
        application = Application.objects.get()
        self.assertEqual(("proxy", "次男", True, "proxy"), (application.applicant, application.proxy_relation,
                                                            application.proxy_takes_responsibility,
                                                            application.consent_method))

    def test_an_emergency_contact_needs_a_name_and_a_phone(self):
        page = self.apply(contact_name="", contact_relation="長男", contact_phone="")
        self.assertIn("contact_name", page.context["form"].errors)

    def test_one_address_is_limited_and_a_robot_stores_nothing(self):
        for _ in range(3):
            self.assertEqual(302, self.apply().status_code)
        self.assertEqual(429, self.apply().status_code)
        self.assertEqual(3, Application.objects.count())
        other = self.client.post(reverse("registry:apply"), self.form_data(), REMOTE_ADDR="192.0.2.9")
        self.assertEqual(302, other.status_code)  # another client has its own budget
        self.assertEqual(302, self.client.post(reverse("registry:apply"), self.form_data(website="http://spam"),
                                               REMOTE_ADDR="192.0.2.10").status_code)
        self.assertEqual(4, Application.objects.count())

    def test_the_officer_reviews_and_approves_onto_the_register(self):
        self.apply()
        application = Application.objects.get()
        self.login(self.alice)
        queue = self.client.get(reverse("registry:applications"))
        self.assertContains(queue, f'data-application="{application.pk}"')
        self.assertNotContains(queue, "手上 ハナ")  # the queue shows no values
        self.assertFalse(AccessLog.objects.exists())
        page = self.client.get(reverse("registry:application", args=[application.pk]))
        self.assertContains(page, "手上 ハナ")
        look = AccessLog.objects.get()
        self.assertEqual((self.alice.pk, "view", "register_upkeep", "49-11-1"),
                         (look.actor_id, look.action, look.purpose, look.basis))
        self.assertIn(f"application:{application.pk}", look.fields)
        response = self.client.post(reverse("registry:application", args=[application.pk]), {"decision": "approve"})
        self.assertEqual(302, response.status_code)
        person = Person.objects.get()
        self.assertEqual((Person.Source.WEB, "手上 ハナ", date(1941, 5, 6), "要介護2", "alone"),
                         (person.source, person.name, person.birth_date, person.care_level, person.lives_with))
        self.assertIn(SELF_APPLICATION, person.inclusion_reasons)
        self.assertEqual([{"kind": "physical", "grade": "3"}], person.disabilities)
        consents = Consent.objects.filter(person=person)
        self.assertEqual(len(RecipientClass.values) * len(Scope.values), consents.count())
        minsei = consents.get(recipient_class="minsei", scope="roster")
        today = timezone.localdate()
        self.assertEqual((State.CONSENTED, TEXT_VERSION, Consent.Method.ONLINE, today),
                         (minsei.state, minsei.text_version, minsei.method, minsei.valid_from))
        self.assertGreater(minsei.valid_until, today + timedelta(days=360))
        application.refresh_from_db()
        self.assertEqual((Application.State.APPROVED, person.pk), (application.state, application.person_id))

    def test_a_person_already_on_the_register_is_found_by_the_keyed_hashes_and_merged(self):
        row = person_row("S9", name="手上 花", name_kana="テアゲ ハナ", birth_date="1941-05-06", care_level="要介護4")
        call_command("registry_import", str(write_csv(csv_bytes([row]))), "--by", "alice", stdout=StringIO())
        known = Person.objects.get()
        self.apply()
        application = Application.objects.get()
        self.login(self.alice)
        page = self.client.get(reverse("registry:application", args=[application.pk]))
        self.assertContains(page, f'name="merge_into" value="{known.pk}"')
        refused = self.client.post(reverse("registry:application", args=[application.pk]), {"decision": "approve"})
        self.assertContains(refused, "may already be on the register", status_code=400)
        self.client.post(reverse("registry:application", args=[application.pk]),
                         {"decision": "approve", "merge_into": str(known.pk)})
        self.assertEqual(1, Person.objects.count())
        known.refresh_from_db()
        self.assertEqual(("要介護2", Person.Source.IMPORT, "手上 ハナ"), (known.care_level, known.source, known.name))
        self.assertIn("care_level", known.inclusion_reasons)  # the import's reason is kept beside 手上げ
        self.assertIn(SELF_APPLICATION, known.inclusion_reasons)

    def test_someone_else_with_the_same_keys_can_be_added_as_new(self):
        row = person_row("S9", name="手上 花", name_kana="テアゲ ハナ", birth_date="1941-05-06")
        call_command("registry_import", str(write_csv(csv_bytes([row]))), "--by", "alice", stdout=StringIO())
        self.apply()
        self.login(self.alice)
        self.client.post(reverse("registry:application", args=[Application.objects.get().pk]),
                         {"decision": "approve", "create_new": "1"})
        self.assertEqual(2, Person.objects.count())

    def test_a_rejection_needs_a_reason_and_erases_the_values(self):
        self.apply()
        application = Application.objects.get()
        self.login(self.alice)
        url = reverse("registry:application", args=[application.pk])
        self.assertEqual(400, self.client.post(url, {"decision": "reject", "reason": ""}).status_code)
        self.client.post(url, {"decision": "reject", "reason": "市外在住のため"})
        application.refresh_from_db()
        self.assertEqual((Application.State.REJECTED, "市外在住のため", []),
                         (application.state, application.reject_reason, application.values))
        self.assertFalse(Person.objects.exists())
        self.assertEqual(400, self.client.post(url, {"decision": "approve"}).status_code)  # decided once

    def test_an_officer_enters_a_paper_application_for_the_person(self):
        self.login(self.alice)
        received = timezone.localdate() - timedelta(days=3)
        data = self.form_data(received_on=received.isoformat(), consent_method="counter", truthful=None,
                              website=None)
        response = self.client.post(reverse("registry:application_paper"), data)
        application = Application.objects.get()
        self.assertRedirects(response, reverse("registry:application", args=[application.pk]))
        self.assertEqual((Application.Source.PAPER, self.alice.pk, received),
                         (application.source, application.entered_by_id,
                          timezone.localtime(application.submitted_at).date()))
        self.client.post(reverse("registry:application", args=[application.pk]), {"decision": "approve"})
        person = Person.objects.get()
        consent = Consent.objects.get(person=person, recipient_class="minsei", scope="roster")
        self.assertEqual((Person.Source.PAPER, Consent.Method.COUNTER, received),
                         (person.source, consent.method, consent.valid_from))

    def test_a_paper_form_from_the_future_is_refused(self):
        self.login(self.alice)
        data = self.form_data(received_on=(timezone.localdate() + timedelta(days=1)).isoformat(),
                              consent_method="mail")
        page = self.client.post(reverse("registry:application_paper"), data)
        self.assertIn("received_on", page.context["form"].errors)

    def test_outsiders_get_404_and_see_nothing(self):
        self.apply()
        application = Application.objects.get()
        for user in (self.dave, self.eve, self.bob):
            self.login(user)
            with self.subTest(user=user.username):
                for name, args in (("applications", []), ("application", [application.pk]),
                                   ("application_paper", [])):
                    self.assertEqual(404, self.client.get(reverse(f"registry:{name}", args=args)).status_code)
                self.assertEqual(404, self.client.post(reverse("registry:application", args=[application.pk]),
                                                       {"decision": "approve"}).status_code)
        self.assertFalse(Person.objects.exists())
        self.assertFalse(AccessLog.objects.exists())

    def test_key_rotation_re_encrypts_pending_applications(self):
        self.apply(applicant="proxy", proxy_name="手上 次郎", proxy_relation="次男", proxy_phone="090-3333-4444",
                   proxy_takes_responsibility="on")
        with override_settings(**KEYS_V2_V1):
            actions.rotate_keys(actor=self.alice)
        with override_settings(**KEYS_V2):  # the old key gone: everything still reads
            application = Application.objects.get()
            self.assertEqual(("手上 ハナ", "手上 次郎"), (application.values["name"], application.proxy_name))

    def test_the_queue_costs_the_same_queries_for_one_or_many(self):
        self.apply()
        self.login(self.alice)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(200, self.client.get(reverse("registry:applications")).status_code)
            return len(captured)

        one = queries()
        for n, kana in enumerate(("てあげ いち", "てあげ に")):
            self.client.post(reverse("registry:apply"), self.form_data(name_kana=kana), REMOTE_ADDR=f"192.0.2.{20 + n}")
        self.assertEqual(3, Application.objects.count())
        self.assertEqual(one, queries())
