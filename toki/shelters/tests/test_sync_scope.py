"""Security issue 13, finding 3: a shelter team may change only the households of its own opening through the sync
API (registered, planned or transferred here); a QR or card check-in stays allowed because the holder is present."""

import json
import uuid

from django.utils import timezone

from toki.shelters.actions.households import pre_register
from toki.shelters.models import Household, Member, Registration
from toki.shelters.tests.world import ShelterWorldMixin, household_payload
from toki.test import BaseTestCase

API = "/api/v1/shelters"


def sync_event(type_, payload):
    return {"id": str(uuid.uuid4()), "type": type_, "occurred_at": timezone.now().isoformat(), "payload": payload}


class SyncScopeTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()
        cls.create_second_team()

    def post(self, user, opening, *events):
        self.login(user)
        response = self.client.post(f"{API}/openings/{opening.pk}/events", content_type="application/json",
                                    data=json.dumps({"device_id": "tab-1", "events": list(events)}))
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["results"]

    def franks_household(self, **fields) -> dict:
        """A household frank's team registered and checked in at the other shelter, through the sync API."""
        payload = household_payload(kana="アイカワ ハナ", address="相川1-1", phone="0259-00-0000",
                                    disclosure="no", **fields)
        results = self.post(self.frank, self.other_opening, sync_event("register_household", payload),
                            sync_event("check_in", {"household_id": payload["household_id"]}))
        self.assertEqual([r["status"] for r in results], ["applied", "applied"])
        return payload

    def test_it_refuses_to_rewrite_another_shelters_household(self):
        theirs = self.franks_household()
        member_id = theirs["members"][0]["id"]
        result = self.post(self.carol, self.opening, sync_event("update_household", {
            "household_id": theirs["household_id"],
            "fields": {"address": "両津9-9", "phone": "090-9999-9999", "disclosure": "yes"},
            "members": [{"id": member_id, "name": "偽名"}, {"id": str(uuid.uuid4()), "name_kana": "ニセ"}]}))[0]
        self.assertEqual((result["status"], result["error"]), ("rejected", "unknown_household"))
        household = Household.objects.get(pk=theirs["household_id"])
        self.assertEqual((household.address, household.phone, household.disclosure), ("相川1-1", "0259-00-0000", "no"))
        self.assertEqual(Member.objects.get(pk=member_id).name, "佐渡 花子")
        self.assertEqual(household.members.count(), 1)

    def test_it_refuses_to_check_another_shelters_household_into_its_opening_by_id(self):
        theirs = self.franks_household()
        check_in = sync_event("check_in", {"household_id": theirs["household_id"]})
        result = self.post(self.carol, self.opening, check_in)[0]
        self.assertEqual((result["status"], result["error"]), ("rejected", "unknown_household"))
        self.assertFalse(Registration.objects.filter(opening=self.opening).exists())
        self.opening.refresh_from_db()
        self.assertEqual(self.opening.people_in, 0)

    def test_it_refuses_to_check_out_another_shelters_household(self):
        theirs = self.franks_household()
        result = self.post(self.carol, self.opening, sync_event("check_out", {
            "household_id": theirs["household_id"], "destination": "home"}))[0]
        self.assertEqual(result["status"], "rejected")
        self.assertEqual(Registration.objects.get(household_id=theirs["household_id"]).state, "checked_in")

    def test_it_gives_the_same_answer_for_a_stranger_household_as_for_an_unknown_id(self):
        theirs = self.franks_household()
        answers = [self.post(self.carol, self.opening, sync_event("update_household", {
            "household_id": household_id, "fields": {"notes": "x"}}))[0]["error"]
            for household_id in (theirs["household_id"], str(uuid.uuid4()))]
        self.assertEqual(answers, ["unknown_household", "unknown_household"])

    def test_it_still_checks_in_the_holder_of_another_shelters_qr_card(self):
        household = pre_register(municipality=self.municipality, household={},
                                 members=[{"name_kana": "アイカワ ジロウ"}], planned_shelter=self.other_shelter)
        result = self.post(self.carol, self.opening, sync_event("check_in", {"qr_token": household.qr_token}))[0]
        self.assertEqual(result["status"], "applied")
        self.assertEqual(Registration.objects.get(opening=self.opening).household_id, household.pk)
        # Checked in here, the household now belongs to this opening: the desk may complete its card.
        update = self.post(self.carol, self.opening, sync_event("update_household", {
            "household_id": str(household.pk), "fields": {"phone": "0259-11-1111"}}))[0]
        self.assertEqual(update["status"], "applied")

    def test_it_lets_the_team_change_households_registered_here_before_they_check_in(self):
        payload = household_payload()
        self.post(self.carol, self.opening, sync_event("register_household", payload))
        result = self.post(self.carol, self.opening, sync_event("update_household", {
            "household_id": payload["household_id"], "fields": {"phone": "0259-22-2222"}}))[0]
        self.assertEqual(result["status"], "applied")

    def test_it_lets_the_team_check_in_a_household_pre_registered_for_its_shelter_by_id(self):
        household = pre_register(municipality=self.municipality, household={},
                                 members=[{"name_kana": "リョウツ サブロウ"}], planned_shelter=self.shelter)
        result = self.post(self.carol, self.opening, sync_event("check_in", {"household_id": str(household.pk)}))[0]
        self.assertEqual(result["status"], "applied")

    def test_it_lets_the_receiving_team_check_in_a_household_transferred_to_it(self):
        theirs = self.franks_household()
        self.post(self.frank, self.other_opening, sync_event("check_out", {
            "household_id": theirs["household_id"], "transfer_opening_id": self.opening.pk}))
        check_in = sync_event("check_in", {"household_id": theirs["household_id"]})
        result = self.post(self.carol, self.opening, check_in)[0]
        self.assertEqual(result["status"], "applied")
        self.assertEqual(Registration.objects.get(opening=self.opening).state, "checked_in")
