"""Security issue 13, finding 6: one malformed tablet event must not fail its batch. Each event is validated on its
own and rejected with a reason (stored, so a retry answers `duplicate`); the rest of the batch is applied."""

import json
import uuid

from django.utils import timezone

from toki.shelters.models import CheckinEvent, Household, Registration
from toki.shelters.tests.world import ShelterWorldMixin, household_payload, register_and_check_in
from toki.test import BaseTestCase

API = "/api/v1/shelters"


def sync_event(type_, payload, **overrides):
    return {"id": str(uuid.uuid4()), "type": type_, "occurred_at": timezone.now().isoformat(), "payload": payload,
            **overrides}


def raw_event(type_: str, payload_json: str) -> str:
    """An event as JSON text around a payload written by hand (for what json.dumps cannot write: 1e400, NaN)."""
    head = json.dumps({"id": str(uuid.uuid4()), "type": type_, "occurred_at": timezone.now().isoformat()})
    return head[:-1] + ', "payload": ' + payload_json + "}"


class MalformedEventTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def setUp(self):
        super().setUp()
        self.login(self.carol)

    def post_raw(self, body: str):
        return self.client.post(f"{API}/openings/{self.opening.pk}/events", content_type="application/json",
                                data=body)

    def sandwich(self, bad_event: dict | str) -> list[dict]:
        """A good walk-in, then `bad_event` (a dict, or raw JSON text for what json.dumps cannot write), then the
        walk-in's check-in. Asserts the batch is answered 200 and the good events are applied around the bad one."""
        good = household_payload()
        bad = bad_event if isinstance(bad_event, str) else json.dumps(bad_event)
        body = ('{"device_id": "tab-1", "events": [' + json.dumps(sync_event("register_household", good)) + ", "
                + bad + ", " + json.dumps(sync_event("check_in", {"household_id": good["household_id"]})) + "]}")
        response = self.post_raw(body)
        self.assertEqual(response.status_code, 200, response.content[:300])
        results = response.json()["results"]
        self.assertEqual([results[0]["status"], results[2]["status"]], ["applied", "applied"], results)
        self.assertEqual(Registration.objects.filter(opening=self.opening, household_id=good["household_id"]).count(),
                         1)
        return results

    def assert_rejected(self, result: dict, error: str):
        self.assertEqual((result["status"], result["error"]), ("rejected", error), result)

    def test_it_rejects_an_out_of_range_time_and_goes_on(self):
        for moment in ("0001-01-01T00:00:00+09:00", "9999-12-31T23:59:59-14:00"):
            result = self.sandwich(sync_event("check_in", {"household_id": str(uuid.uuid4())}, occurred_at=moment))[1]
            self.assert_rejected(result, "invalid_time")

    def test_it_rejects_care_needs_that_are_not_codes_and_goes_on(self):
        bad = household_payload(kana="アイカワ タロウ")
        bad["members"][0]["care_needs"] = [["x"]]
        result = self.sandwich(sync_event("register_household", bad))[1]
        self.assert_rejected(result, "invalid_payload:members.0.care_needs")
        self.assertFalse(Household.objects.filter(pk=bad["household_id"]).exists())

    def test_it_rejects_an_infinite_or_huge_transfer_opening_id_and_goes_on(self):
        here = register_and_check_in(self.carol, self.opening, kana="アイカワ タロウ")
        for number in ("1e400", "-1e400", "NaN", str(10**30), "true", "1.5", '"12abc"'):
            household = here["household_id"]
            bad = raw_event("check_out", f'{{"household_id": "{household}", "transfer_opening_id": {number}}}')
            self.assert_rejected(self.sandwich(bad)[1], "invalid_payload:transfer_opening_id")
            self.assertEqual(Registration.objects.get(household_id=here["household_id"]).state, "checked_in")

    def test_it_rejects_deep_nesting_and_goes_on(self):
        deep = "[" * 900 + "]" * 900
        bad = raw_event("update_household", f'{{"household_id": "{uuid.uuid4()}", "fields": {{"notes": {deep}}}}}')
        result = self.sandwich(bad)[1]
        self.assertEqual(result["status"], "rejected")
        self.assertTrue(result["error"].startswith("invalid_payload:fields.notes"), result)

    def test_it_rejects_text_the_database_cannot_store_and_goes_on(self):
        for text in ("サド\u0000ハナコ", "\ud800"):
            bad = household_payload()
            bad["members"][0]["name_kana"] = text
            result = self.sandwich(sync_event("register_household", bad))[1]
            self.assert_rejected(result, "invalid_payload:members.0.name_kana")

    def test_it_rejects_an_unknown_type_on_its_own(self):
        self.assert_rejected(self.sandwich(sync_event("teleport", {}))[1], "invalid_payload:type")

    def test_it_rejects_a_payload_that_is_not_an_object(self):
        self.assert_rejected(self.sandwich(sync_event("check_in", ["x"]))[1], "invalid_payload:payload")

    def test_it_answers_an_event_without_a_uuid_with_its_id_as_sent_and_stores_nothing(self):
        before = CheckinEvent.objects.count()
        result = self.sandwich(sync_event("check_in", {}, id="not-a-uuid"))[1]
        self.assertEqual(result["id"], "not-a-uuid")
        self.assert_rejected(result, "invalid_event:id")
        self.assertEqual(CheckinEvent.objects.count(), before + 2)  # the two good ones

    def test_it_answers_an_event_that_is_not_an_object(self):
        self.assert_rejected(self.sandwich("42")[1], "invalid_event")

    def test_it_stores_a_rejection_so_that_a_retry_answers_duplicate(self):
        bad = sync_event("check_in", {"household_id": str(uuid.uuid4())}, occurred_at="0001-01-01T00:00:00+09:00")
        self.sandwich(bad)
        again = self.post_raw(json.dumps({"device_id": "tab-1", "events": [bad]})).json()["results"][0]
        self.assertEqual((again["status"], again["original_status"], again["error"]),
                         ("duplicate", "rejected", "invalid_time"))

    def test_it_echoes_each_id_exactly_as_the_tablet_sent_it(self):
        event = sync_event("register_household", household_payload())
        event["id"] = event["id"].upper()
        result = self.post_raw(json.dumps({"device_id": "tab-1", "events": [event]})).json()["results"][0]
        self.assertEqual((result["id"], result["status"]), (event["id"], "applied"))

    def test_it_refuses_a_device_id_with_control_characters_as_a_whole(self):
        body = json.dumps({"device_id": "tab\u00001", "events": [sync_event("check_in", {})]})
        self.assertEqual(self.post_raw(body).status_code, 422)
        self.assertFalse(CheckinEvent.objects.exists())
