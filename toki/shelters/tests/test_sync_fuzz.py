"""The permanent check of security issue 13 on the sync API: random and malformed event batches, posted through the
real endpoint as a shelter team member, never get a 5xx; every event gets its own answer (applied, duplicate or
rejected, with a reason that names what was wrong); nothing is half-written (the opening's counts equal its
registrations, no household without members, another shelter's household untouched).

Bounded and repeatable by default (derandomized); `TOKI_SYNC_FUZZ_EXAMPLES=2000 TOKI_SYNC_FUZZ_RANDOM=1` explores
further (docs/shelter-ops-sync.md, "Fuzz test")."""

import json
import os
import uuid

from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from toki.shelters.actions.sync import apply_events
from toki.shelters.models import CheckinEvent, Household, Registration
from toki.shelters.tests.world import ShelterWorldMixin, event, household_payload
from toki.test import PersonasMixin

API = "/api/v1/shelters"
EXAMPLES = int(os.environ.get("TOKI_SYNC_FUZZ_EXAMPLES", "60"))
RANDOM = os.environ.get("TOKI_SYNC_FUZZ_RANDOM") == "1"
FIELDS = ("household_id", "members", "member_ids", "fields", "qr_token", "card_id", "destination",
          "destination_note", "transfer_opening_id", "address", "phone", "stay", "house_damage", "disclosure",
          "pets", "car_sleeping", "car_plate", "notes", "id", "name", "name_kana", "sex", "birth_date",
          "care_needs", "allergies", "care_notes", "relation")
NASTY_TEXT = ("", " ", "\x00", "\ud800", "サド ハナコ", "1234 5678 9012", "TOKI-SHELTER:1:", "x" * 1001,
              "1948-04-02", "2026-13-40", "elderly", "yes", "other_shelter", "9" * 30)

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(NASTY_TEXT)
           | st.text(max_size=40))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=5),
                           max_leaves=25)


def deep(depth: int):
    value = "x"
    for _ in range(depth):
        value = [value]
    return value


class SyncFuzzTests(ShelterWorldMixin, PersonasMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_world()
        cls.create_shelter_world()
        cls.create_second_team()
        cls.ours = household_payload(kana="リョウツ イチ")
        cls.theirs = household_payload(kana="アイカワ ニ", address="相川3-3")
        for user, opening, payload in ((cls.carol, cls.opening, cls.ours),
                                       (cls.frank, cls.other_opening, cls.theirs)):
            apply_events(acting_user=user, opening=opening, device_id="seed", events=[
                event("register_household", payload), event("check_in", {"household_id": payload["household_id"]})])
        cls.theirs_before = Household.objects.filter(pk=cls.theirs["household_id"]).values().get()

    def known_ids(self):
        members = [m["id"] for p in (self.ours, self.theirs) for m in p["members"]]
        return st.sampled_from([self.ours["household_id"], self.theirs["household_id"], *members,
                                str(self.opening.pk), str(self.other_opening.pk), self.opening.pk,
                                self.other_opening.pk])

    def payloads(self):
        ids = self.known_ids() | st.uuids().map(str)
        member = st.fixed_dictionaries({"id": ids}, optional={
            "name_kana": json_values, "birth_date": json_values, "care_needs": json_values, "sex": json_values})
        shaped = st.fixed_dictionaries({}, optional={
            "household_id": ids | json_values, "members": st.lists(member, max_size=3) | json_values,
            "member_ids": st.lists(ids, max_size=3) | json_values, "fields": json_values,
            "qr_token": json_values, "card_id": json_values, "destination": json_values,
            "transfer_opening_id": ids | json_values, "disclosure": json_values, "address": json_values})
        return shaped | json_values | st.integers(2, 1200).map(lambda n: {"household_id": deep(n)})

    def events(self):
        times = (st.just(timezone.now().isoformat()) | st.datetimes(timezones=st.timezones()).map(
            lambda d: d.isoformat()) | json_values)
        types = st.sampled_from(["check_in", "check_out", "register_household", "update_household"]) | json_values
        ids = st.uuids().map(str) | st.uuids().map(lambda u: str(u).upper()) | json_values
        shaped = st.fixed_dictionaries({"id": ids, "type": types, "occurred_at": times, "payload": self.payloads()})
        return shaped | json_values

    def post(self, body: str):
        return self.client.post(f"{API}/openings/{self.opening.pk}/events", content_type="application/json",
                                data=body)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def test_it_answers_every_event_of_any_batch_without_a_server_error(self, data):
        self.client.force_login(self.carol)
        batch = data.draw(st.lists(self.events(), min_size=1, max_size=12), label="events")
        batch += data.draw(st.lists(st.sampled_from(batch), max_size=2), label="resent")  # retries in one batch
        body = json.dumps({"device_id": "fuzz-tablet", "events": batch})
        response = self.post(body)
        self.assertLess(response.status_code, 500, body[:500])
        if response.status_code != 200:
            # Only a body the server cannot read as a whole may be refused: too deep for the JSON parser.
            self.assertEqual(response.status_code, 400, body[:500])
            self.assertGreater(body.count("["), 900)
            return
        results = response.json()["results"]
        self.assertEqual(len(results), len(batch))
        for sent, result in zip(batch, results, strict=True):
            self.assertIn(result["status"], ("applied", "duplicate", "rejected"))
            self.assertNotEqual(result["error"], "malformed", (sent, result))  # a reason is always named
            if isinstance(sent, dict) and isinstance(sent.get("id"), str):
                self.assertEqual(result["id"], sent["id"][:80])
            self.assert_stored_as_answered(result)
        self.assert_nothing_half_written()

    def assert_stored_as_answered(self, result):
        try:
            event_id = uuid.UUID(result["id"])
        except ValueError:
            return  # no id to store it under
        stored = CheckinEvent.objects.filter(event_id=event_id).values_list("status", flat=True)
        if result["status"] == "duplicate":
            self.assertEqual(list(stored), [result["original_status"]])
        else:
            self.assertEqual(list(stored), [result["status"]])

    def assert_nothing_half_written(self):
        for opening in (self.opening, self.other_opening):
            opening.refresh_from_db()
            present = Registration.objects.filter(opening=opening, state=Registration.State.CHECKED_IN)
            self.assertEqual((opening.people_in, opening.households_in),
                             (present.count(), present.values("household_id").distinct().count()))
        self.assertFalse(Household.objects.annotate(n=Count("members")).filter(n=0).exists())
        self.assertEqual(Household.objects.filter(pk=self.theirs["household_id"]).values().get(), self.theirs_before)
