"""Staff pages: every one refused to outsiders; the desk check-in; status; supplies; duplicates; search; audit."""

import uuid

from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.shelters.models import DuplicateCandidate, Household, Member, Registration, ShelterOpening, SupplyRequest
from toki.shelters.tests.world import ShelterWorldMixin, register_and_check_in
from toki.test import BaseTestCase


class StaffViewTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()
        cls.payload = register_and_check_in(cls.carol, cls.opening)
        cls.household_id = cls.payload["household_id"]

    def urls(self):
        pk, hid = self.opening.pk, self.household_id
        return {
            "get": [reverse("shelters_index"), reverse("shelters_opening", args=[pk]),
                    reverse("shelters_household", args=[pk, hid]), reverse("shelters_roster", args=[pk]),
                    reverse("shelters_new_supply_request", args=[pk]), reverse("shelters_supplies"),
                    reverse("shelters_duplicates"), reverse("shelters_search"),
                    reverse("shelters_edit_shelter", args=[self.shelter.pk])],
            "post": [reverse("shelters_open"), reverse("shelters_set_status", args=[pk]),
                     reverse("shelters_set_crowding", args=[pk]), reverse("shelters_confirm", args=[pk]),
                     reverse("shelters_quick_check_in", args=[pk]), reverse("shelters_token_check_in", args=[pk]),
                     reverse("shelters_check_out", args=[pk, hid]), reverse("shelters_answer_supplies", args=[1]),
                     reverse("shelters_resolve_duplicate", args=[1])],
        }

    def test_it_refuses_an_outsider_on_every_staff_page(self):
        self.login(self.eve)
        urls = self.urls()
        for url in urls["get"]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        for url in urls["post"]:
            self.assertEqual(self.client.post(url, {"status": "full", "crowding": "full", "name_kana": "ア",
                                                    "people": 1, "code": "x", "destination": "home"}).status_code,
                             404, url)
        self.assertEqual(Registration.objects.filter(state="checked_in").count(), 1)

    def test_it_sends_the_anonymous_to_the_login_page(self):
        response = self.client.get(reverse("shelters_opening", args=[self.opening.pk]))
        self.assertEqual(response.status_code, 302)

    def test_it_shows_carol_her_opening_and_audits_the_read(self):
        self.login(self.carol)
        response = self.client.get(reverse("shelters_opening", args=[self.opening.pk]))
        self.assertContains(response, "サド ハナコ")
        self.assertTrue(AuditEvent.objects.filter(action="shelters.read.opening", actor=self.carol).exists())

    def test_it_refuses_carol_another_shelters_opening(self):
        from toki.shelters.actions.openings import open_shelter

        other = open_shelter(acting_user=self.alice, shelter=self.other_shelter, incident=self.incident)
        self.login(self.carol)
        self.assertEqual(self.client.get(reverse("shelters_opening", args=[other.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("shelters_edit_shelter", args=[self.shelter.pk])).status_code, 404)

    def test_it_checks_in_with_the_quick_form(self):
        self.login(self.carol)
        self.client.post(reverse("shelters_quick_check_in", args=[self.opening.pk]),
                         {"name_kana": "りょうつ たろう", "people": 3})
        self.assertEqual(ShelterOpening.objects.get(pk=self.opening.pk).people_in, 4)
        self.assertTrue(Member.objects.filter(kana_key="リョウツタロウ").exists())

    def test_it_refuses_a_my_number_in_the_quick_form(self):
        self.login(self.carol)
        self.client.post(reverse("shelters_quick_check_in", args=[self.opening.pk]),
                         {"name_kana": "サド", "name": "1234-5678-9012", "people": 1})
        self.assertEqual(Household.objects.count(), 1)

    def test_it_checks_in_a_pre_registered_household_by_qr(self):
        from toki.shelters.actions.households import pre_register

        household = pre_register(municipality=self.municipality, household={}, members=[{"name_kana": "マノ ハナ"}])
        self.login(self.carol)
        response = self.client.post(reverse("shelters_token_check_in", args=[self.opening.pk]),
                                    {"code": household.qr_payload})
        self.assertRedirects(response, reverse("shelters_household", args=[self.opening.pk, household.pk]))
        self.assertEqual(Registration.objects.get(household=household).state, "checked_in")

    def test_it_checks_out_a_household(self):
        self.login(self.carol)
        self.client.post(reverse("shelters_check_out", args=[self.opening.pk, self.household_id]),
                         {"destination": "relatives"})
        self.assertEqual(Registration.objects.get(household_id=self.household_id).destination, "relatives")

    def test_it_edits_the_household_card(self):
        self.login(self.carol)
        member = Member.objects.get(household_id=self.household_id)
        response = self.client.post(reverse("shelters_household", args=[self.opening.pk, self.household_id]), {
            "address": "佐渡市両津湊1", "stay": "shelter", "house_damage": "half", "disclosure": "yes",
            "m-TOTAL_FORMS": 2, "m-INITIAL_FORMS": 1, "m-MIN_NUM_FORMS": 1, "m-MAX_NUM_FORMS": 30,
            "m-0-id": member.pk, "m-0-name_kana": "サド ハナコ", "m-0-sex": "female", "m-0-care_needs": ["elderly"],
            "m-1-id": "", "m-1-name_kana": "サド ジロウ", "m-1-sex": "male"})
        self.assertEqual(response.status_code, 302)
        household = Household.objects.get(pk=self.household_id)
        self.assertEqual((household.house_damage, household.disclosure, household.members.count()),
                         ("half", "yes", 2))

    def test_it_sets_full_and_a_crowding_override_with_who_and_when(self):
        self.login(self.carol)
        self.client.post(reverse("shelters_set_crowding", args=[self.opening.pk]), {"crowding": "crowded"})
        opening = ShelterOpening.objects.get(pk=self.opening.pk)
        self.assertEqual((opening.crowding, opening.crowding_set_by), ("crowded", self.carol))
        self.client.post(reverse("shelters_set_status", args=[self.opening.pk]), {"status": "full"})
        self.assertEqual(ShelterOpening.objects.get(pk=self.opening.pk).crowding, "full")
        self.assertTrue(AuditEvent.objects.filter(action="shelters.opening.status").exists())

    def test_it_sends_a_supply_request_that_hq_answers_and_the_shelter_sees(self):
        self.login(self.carol)
        self.client.post(reverse("shelters_new_supply_request", args=[self.opening.pk]),
                         {"urgency": "urgent", "items": "水 2L, 48, 本\n毛布、30、枚", "note": ""})
        request = SupplyRequest.objects.get()
        self.assertEqual([(i.name, i.quantity) for i in request.items.all()], [("水 2L", 48), ("毛布", 30)])
        self.assertEqual(self.client.post(reverse("shelters_answer_supplies", args=[request.pk]),
                                          {"status": "accepted"}).status_code, 404)
        self.login(self.alice)
        self.client.post(reverse("shelters_answer_supplies", args=[request.pk]),
                         {"status": "partly", "note": "毛布は明日"})
        self.login(self.carol)
        self.assertContains(self.client.get(reverse("shelters_supplies")), "毛布は明日")

    def test_it_proposes_a_duplicate_and_merges_only_when_staff_decide(self):
        second = register_and_check_in(self.carol, self.opening)  # same kana and birth date
        candidate = DuplicateCandidate.objects.get()
        self.assertEqual(Member.objects.filter(merged_into__isnull=True).count(), 2)
        self.login(self.carol)
        self.client.post(reverse("shelters_resolve_duplicate", args=[candidate.pk]), {"decision": "merge"})
        self.assertEqual(Member.objects.filter(merged_into__isnull=True).count(), 1)
        self.assertEqual(ShelterOpening.objects.get(pk=self.opening.pk).people_in, 1)
        self.assertIsNotNone(Household.objects.get(pk=second["household_id"]).merged_into_id)

    def test_it_searches_a_person_across_shelters_and_audits_without_the_terms(self):
        self.login(self.carol)
        response = self.client.post(reverse("shelters_search"), {"kana": "さど はなこ"})
        self.assertContains(response, "両津小学校体育館")
        audit = AuditEvent.objects.get(action="shelters.read.person_search")
        self.assertNotIn("サド", str(audit.changes))

    def test_it_lets_hq_edit_the_master(self):
        self.login(self.alice)
        self.client.post(reverse("shelters_edit_shelter", args=[self.shelter.pk]), {
            "kind": "welfare_shelter", "capacity": 120, "phone": "0259-27-0000", "contact_name": "",
            "contact_email": "", "accessibility_notes": "スロープあり"})
        self.shelter.refresh_from_db()
        self.assertEqual((self.shelter.kind, self.shelter.capacity), ("welfare_shelter", 120))
        self.assertEqual(AuditEvent.objects.get(action="shelters.master.update").changes["capacity"], 120)

    def test_it_pins_the_opening_page_query_count(self):
        for kana in ("アイカワ イチ", "アイカワ ニ", "アイカワ サン"):
            register_and_check_in(self.carol, self.opening, kana=kana)
        self.login(self.carol)
        with self.assertNumQueries(12):
            self.client.get(reverse("shelters_opening", args=[self.opening.pk]))

    def test_it_does_not_put_personal_data_in_urls(self):
        household_url = reverse("shelters_household", args=[self.opening.pk, self.household_id])
        self.assertEqual(str(uuid.UUID(household_url.rstrip("/").rsplit("/", 1)[1])), self.household_id)
