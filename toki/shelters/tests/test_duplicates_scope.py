"""Security issue 13, findings 4 and 5: merging duplicate records.

4. A refusal of disclosure cannot be overridden by a pre-registration made in the person's name: a merge keeps the
   most restrictive answer and shows staff the choice.
5. A team cannot pull another shelter's evacuee into its opening with a kana name and a birth date: a merge across
   shelters needs HQ, and until then staff see only their own shelter's record.
"""

import json
import uuid

from django.urls import reverse
from django.utils import timezone

from toki.shelters.models import DuplicateCandidate, Household, Member, Registration
from toki.shelters.tests.world import ShelterWorldMixin, household_payload
from toki.test import BaseTestCase

API = "/api/v1/shelters"
PRE_REGISTRATION = {"m-TOTAL_FORMS": 1, "m-INITIAL_FORMS": 0, "m-MIN_NUM_FORMS": 1, "m-MAX_NUM_FORMS": 30,
                    "m-0-name_kana": "ツダ ミサキ", "m-0-name": "津田 美咲", "m-0-sex": "female",
                    "m-0-birth_date": "1990-05-06", "address": "佐渡市両津夷1", "stay": "shelter",
                    "disclosure": "yes", "consent": "on"}


class DuplicatesTestMixin(ShelterWorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()
        cls.create_second_team()

    def setUp(self):
        super().setUp()
        self.client.cookies["toki_language"] = "en"

    def login(self, user):
        super().login(user)
        self.client.cookies["toki_language"] = "en"  # a logout() in between empties the cookies

    def walk_in(self, user, opening, payload) -> dict:
        """A household registered and checked in at `opening`'s desk through the sync API."""
        self.login(user)
        events = [{"id": str(uuid.uuid4()), "type": type_, "occurred_at": timezone.now().isoformat(),
                   "payload": body} for type_, body in (
            ("register_household", payload), ("check_in", {"household_id": payload["household_id"]}))]
        response = self.client.post(f"{API}/openings/{opening.pk}/events", content_type="application/json",
                                    data=json.dumps({"device_id": "desk", "events": events}))
        self.assertEqual([r["status"] for r in response.json()["results"]], ["applied", "applied"])
        return payload

    def decide(self, user, candidate, decision="merge"):
        self.login(user)
        return self.client.post(reverse("shelters_resolve_duplicate", args=[candidate.pk]), {"decision": decision})


class CrossShelterMergeTests(DuplicatesTestMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        # frank's shelter has an evacuee; carol's team types the same kana and birth date into a fake walk-in.
        self.theirs = household_payload(kana="アイカワ ハナ", address="相川2-2", phone="0259-74-0000")
        self.theirs["members"][0]["name"] = "相川 花"
        self.walk_in(self.frank, self.other_opening, self.theirs)
        self.fake = household_payload(kana="アイカワ ハナ")
        self.fake["members"][0]["name"] = "偽者"
        self.walk_in(self.carol, self.opening, self.fake)
        self.candidate = DuplicateCandidate.objects.get()

    def test_it_refuses_a_team_a_merge_that_pulls_in_another_shelters_evacuee(self):
        response = self.decide(self.carol, self.candidate)
        self.assertRedirects(response, reverse("shelters_duplicates"))
        self.assertEqual(Member.objects.filter(merged_into__isnull=True).count(), 2)
        self.assertFalse(Registration.objects.filter(opening=self.opening, household_id=self.theirs["household_id"])
                         .exists())
        card = reverse("shelters_household", args=[self.opening.pk, self.theirs["household_id"]])
        self.assertEqual(self.client.get(card).status_code, 404)
        self.assertEqual(DuplicateCandidate.objects.get().status, "open")

    def test_it_shows_a_team_only_its_own_record_of_a_cross_shelter_pair(self):
        self.login(self.carol)
        page = self.client.get(reverse("shelters_duplicates"))
        self.assertContains(page, "偽者")
        self.assertNotContains(page, "相川 花")
        self.assertNotContains(page, 'value="merge"')
        self.assertContains(page, "Only the disaster HQ can merge")
        self.login(self.frank)
        page = self.client.get(reverse("shelters_duplicates"))
        self.assertContains(page, "相川 花")
        self.assertNotContains(page, "偽者")

    def test_it_lets_hq_merge_across_shelters(self):
        self.login(self.alice)
        page = self.client.get(reverse("shelters_duplicates"))
        self.assertContains(page, "相川 花")
        self.assertContains(page, "偽者")
        self.decide(self.alice, self.candidate)
        self.assertEqual(Member.objects.filter(merged_into__isnull=True).count(), 1)
        self.assertEqual(DuplicateCandidate.objects.get().status, "merged")

    def test_it_still_lets_a_team_say_the_records_are_different_people(self):
        self.decide(self.carol, self.candidate, "dismiss")
        self.assertEqual(DuplicateCandidate.objects.get().status, "dismissed")


class ConsentOnMergeTests(DuplicatesTestMixin, BaseTestCase):
    def pre_register_in_her_name(self, **fields):
        """Anyone, without an account, pre-registers the victim's kana and birth date with disclosure "yes"."""
        self.client.logout()
        response = self.client.post(reverse("portal:preregister"), {**PRE_REGISTRATION,
                                                                    "planned_shelter": self.shelter.pk, **fields})
        self.assertEqual(response.status_code, 302)

    def her_at_the_desk(self, disclosure: str) -> dict:
        payload = household_payload(kana="ツダ ミサキ", birth_date="1990-05-06", disclosure=disclosure)
        payload["members"][0]["name"] = "津田 美咲"
        return self.walk_in(self.carol, self.opening, payload)

    def safety_search(self):
        self.client.logout()
        return self.client.post(reverse("portal:safety_search"), {"name": "津田 美咲", "birth_date": "1990-05-06"})

    def test_it_keeps_a_refusal_given_at_the_desk_when_a_pre_registration_said_yes(self):
        self.pre_register_in_her_name()
        self.her_at_the_desk("no")
        self.decide(self.carol, DuplicateCandidate.objects.get())
        self.assertEqual(Member.objects.filter(merged_into__isnull=True).count(), 1)
        live = Household.objects.get(merged_into__isnull=True)
        self.assertEqual(live.disclosure, "no")
        self.assertNotContains(self.safety_search(), "両津小学校体育館")

    def test_it_does_not_let_a_pre_registration_answer_for_someone_the_desk_has_not_asked_yet(self):
        self.pre_register_in_her_name()
        self.her_at_the_desk("unknown")
        self.decide(self.carol, DuplicateCandidate.objects.get())
        self.assertEqual(Household.objects.get(merged_into__isnull=True).disclosure, "unknown")
        self.assertNotContains(self.safety_search(), "両津小学校体育館")

    def test_it_keeps_the_record_of_the_person_at_the_desk(self):
        self.pre_register_in_her_name()
        desk = self.her_at_the_desk("no")
        self.decide(self.carol, DuplicateCandidate.objects.get())
        live = Household.objects.get(merged_into__isnull=True)
        self.assertEqual(str(live.pk), desk["household_id"])
        self.assertEqual(live.address, "")  # the pre-registration's address is not taken over by the desk's card

    def test_it_shows_staff_both_answers_and_what_a_merge_keeps(self):
        self.pre_register_in_her_name()
        self.her_at_the_desk("no")
        self.login(self.carol)
        page = self.client.get(reverse("shelters_duplicates"))
        self.assertContains(page, "May be disclosed")
        self.assertContains(page, "Must not be disclosed")
        self.assertContains(page, "After merging, safety information: Must not be disclosed")
        response = self.decide(self.carol, DuplicateCandidate.objects.get())
        self.assertContains(self.client.get(response.url), "Must not be disclosed")

    def test_it_lets_a_pre_registration_be_more_careful_than_the_desk(self):
        self.pre_register_in_her_name(disclosure="partial")
        self.her_at_the_desk("yes")
        self.decide(self.carol, DuplicateCandidate.objects.get())
        self.assertEqual(Household.objects.get(merged_into__isnull=True).disclosure, "partial")
