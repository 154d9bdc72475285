"""Public shelter pages: pre-registration with a QR code, and the 安否 search (consent, exact match, 429)."""

from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.shelters.actions.households import SAFETY_SEARCH_LIMIT
from toki.shelters.models import Household, Member
from toki.shelters.tests.world import ShelterWorldMixin, register_and_check_in
from toki.test import BaseTestCase

FORM = {"m-TOTAL_FORMS": 1, "m-INITIAL_FORMS": 0, "m-MIN_NUM_FORMS": 1, "m-MAX_NUM_FORMS": 30,
        "m-0-name_kana": "さど はなこ", "m-0-name": "佐渡 花子", "m-0-sex": "female", "m-0-birth_date": "1948-04-02",
        "address": "佐渡市両津湊1", "stay": "shelter", "disclosure": "yes", "consent": "on"}


class PreRegistrationTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def setUp(self):
        super().setUp()
        self.client.cookies["toki_language"] = "en"

    def test_it_registers_a_household_and_shows_its_qr_code(self):
        response = self.client.post(reverse("portal:preregister"), {**FORM, "planned_shelter": self.shelter.pk})
        self.assertRedirects(response, reverse("portal:preregistration_card"))
        household = Household.objects.get()
        self.assertEqual((household.source, household.planned_shelter), ("pre_registration", self.shelter))
        self.assertEqual(Member.objects.get().kana_key, "サドハナコ")
        card = self.client.get(reverse("portal:preregistration_card"))
        self.assertContains(card, "<svg")
        self.assertNotIn(str(household.pk), card.request["PATH_INFO"])
        png = self.client.get(reverse("portal:preregistration_qr_png"))
        self.assertEqual(png["Content-Type"], "image/png")

    def test_it_puts_only_the_opaque_token_in_the_qr_code(self):
        self.client.post(reverse("portal:preregister"), FORM)
        household = Household.objects.get()
        self.assertRegex(household.qr_payload, r"^TOKI-SHELTER:1:[A-Za-z0-9_-]{22}$")

    def test_it_shows_the_card_only_to_the_browser_that_registered(self):
        self.client.post(reverse("portal:preregister"), FORM)
        self.client.cookies.pop("sessionid")
        self.assertEqual(self.client.get(reverse("portal:preregistration_card")).status_code, 404)

    def test_it_reissues_the_code(self):
        self.client.post(reverse("portal:preregister"), FORM)
        before = Household.objects.get().qr_token
        self.client.post(reverse("portal:preregistration_card"), {"reissue": "1"})
        self.assertNotEqual(Household.objects.get().qr_token, before)

    def test_it_refuses_a_my_number(self):
        response = self.client.post(reverse("portal:preregister"), {**FORM, "phone": "123456789012"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "My Number")
        self.assertFalse(Household.objects.exists())

    def test_it_proposes_a_duplicate_when_the_same_person_registers_twice(self):
        from toki.shelters.models import DuplicateCandidate

        self.client.post(reverse("portal:preregister"), FORM)
        self.client.post(reverse("portal:preregister"), FORM)
        self.assertEqual(DuplicateCandidate.objects.count(), 1)
        self.assertEqual(Member.objects.filter(merged_into__isnull=True).count(), 2)


class SafetySearchTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()
        cls.payload = register_and_check_in(cls.carol, cls.opening, disclosure="yes")

    def setUp(self):
        super().setUp()
        self.client.cookies["toki_language"] = "en"

    def search(self, name="サド ハナコ", birth_date="1948-04-02"):
        return self.client.post(reverse("portal:safety_search"), {"name": name, "birth_date": birth_date})

    def test_it_answers_with_the_shelter_name_on_an_exact_kana_match(self):
        self.assertContains(self.search("さど はなこ"), "両津小学校体育館")

    def test_it_answers_on_an_exact_kanji_match(self):
        self.assertContains(self.search("佐渡花子"), "両津小学校体育館")

    def test_it_never_shows_the_address_or_other_fields(self):
        Household.objects.update(address="佐渡市両津湊99", phone="0259-00-0000")
        response = self.search()
        self.assertNotContains(response, "両津湊99")
        self.assertNotContains(response, "0259-00-0000")
        self.assertNotContains(response, "Female")
        self.assertNotContains(response, "Elderly")

    def test_it_says_nothing_without_consent(self):
        Household.objects.update(disclosure="partial")
        self.assertNotContains(self.search(), "両津小学校体育館")

    def test_it_says_nothing_on_a_wrong_birth_date(self):
        self.assertNotContains(self.search(birth_date="1948-04-03"), "両津小学校体育館")

    def test_it_says_nothing_on_a_partial_name(self):
        self.assertNotContains(self.search("サド"), "両津小学校体育館")

    def test_it_says_nothing_after_check_out(self):
        from toki.shelters.actions.sync import apply_events
        from toki.shelters.tests.world import event

        apply_events(acting_user=self.carol, opening=self.opening, device_id="t", events=[
            event("check_out", {"household_id": self.payload["household_id"]})])
        self.assertNotContains(self.search(), "両津小学校体育館")

    def test_it_rate_limits_per_client_with_a_clear_429_page(self):
        for _ in range(SAFETY_SEARCH_LIMIT):
            self.assertEqual(self.search("ダレカ").status_code, 200)
        response = self.search()
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many searches", status_code=429)
        other = self.client_class(REMOTE_ADDR="192.0.2.9")
        other.cookies["toki_language"] = "en"
        self.assertEqual(other.post(reverse("portal:safety_search"),
                                    {"name": "サド ハナコ", "birth_date": "1948-04-02"}).status_code, 200)

    def test_it_audits_each_search_without_the_terms(self):
        self.search()
        audit = AuditEvent.objects.get(action="shelters.safety_search")
        self.assertEqual(audit.changes, {"answered": 1})

    def test_it_never_answers_for_a_drill(self):
        self.incident.is_drill = True
        self.incident.save()
        self.assertNotContains(self.search(), "両津小学校体育館")
