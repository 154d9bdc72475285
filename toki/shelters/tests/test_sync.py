"""The sync contract's events (docs/shelter-ops-sync.md §3): idempotency, order, rejections, occupancy."""

import uuid
from datetime import timedelta

from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.shelters.actions.errors import NotAllowed
from toki.shelters.actions.sync import apply_events
from toki.shelters.models import CheckinEvent, Household, Member, Registration, ShelterOpening
from toki.shelters.tests.world import ShelterWorldMixin, event, household_payload, register_and_check_in
from toki.test import BaseTestCase


class SyncTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def apply(self, *events, user=None):
        return apply_events(acting_user=user or self.carol, opening=self.opening, device_id="tab-1",
                            events=list(events))

    def test_it_registers_a_household_with_client_ids_and_checks_it_in(self):
        payload = household_payload(extra=2)
        results = self.apply(event("register_household", payload),
                             event("check_in", {"household_id": payload["household_id"]}))
        self.assertEqual([r["status"] for r in results], ["applied", "applied"])
        self.assertEqual(results[1]["server_ids"]["household_id"], payload["household_id"])
        self.assertEqual(Member.objects.filter(household_id=payload["household_id"]).count(), 3)
        self.opening.refresh_from_db()
        self.assertEqual((self.opening.people_in, self.opening.households_in), (3, 1))

    def test_it_answers_duplicate_for_a_retried_event_and_changes_nothing(self):
        payload = household_payload()
        first = event("register_household", payload)
        self.apply(first)
        results = self.apply(first)
        self.assertEqual(results[0]["status"], "duplicate")
        self.assertEqual(results[0]["original_status"], "applied")
        self.assertEqual(Household.objects.count(), 1)
        self.assertEqual(CheckinEvent.objects.count(), 1)

    def test_it_answers_duplicate_for_a_lone_check_in_sent_again_and_changes_nothing(self):
        # A batch of one skips the read of stored events: the unique event id answers instead (docs/shelter-ops.md).
        payload = register_and_check_in(self.carol, self.opening)
        household = Household.objects.get(pk=payload["household_id"])
        check_in = event("check_out", {"household_id": payload["household_id"]})
        self.assertEqual(self.apply(check_in)[0]["status"], "applied")
        touched = Household.objects.get(pk=household.pk).updated_at
        again = self.apply(check_in)[0]
        self.assertEqual((again["status"], again["original_status"]), ("duplicate", "applied"))
        self.assertEqual(again["server_ids"]["household_id"], payload["household_id"])
        self.assertEqual(CheckinEvent.objects.filter(event_id=check_in.id).count(), 1)
        self.assertEqual(Household.objects.get(pk=household.pk).updated_at, touched)
        self.opening.refresh_from_db()
        self.assertEqual((self.opening.people_in, self.opening.households_in), (0, 0))

    def test_it_checks_in_a_merged_household_under_the_household_it_was_merged_into(self):
        keep = register_and_check_in(self.carol, self.opening)
        other = household_payload(kana="アイカワ タロウ")
        self.apply(event("register_household", other))
        Household.objects.filter(pk=other["household_id"]).update(merged_into=keep["household_id"])
        Member.objects.filter(household_id=other["household_id"]).update(household_id=keep["household_id"])
        result = self.apply(event("check_in", {"household_id": other["household_id"]}))[0]
        self.assertEqual(result["status"], "applied")
        self.assertEqual(result["server_ids"]["household_id"], keep["household_id"])
        self.opening.refresh_from_db()
        self.assertEqual((self.opening.people_in, self.opening.households_in), (2, 1))

    def test_it_answers_duplicate_for_the_same_event_twice_in_one_batch(self):
        payload = household_payload()
        check_in_id = uuid.uuid4()
        results = self.apply(event("register_household", payload),
                             event("check_in", {"household_id": payload["household_id"]}, event_id=check_in_id),
                             event("check_in", {"household_id": payload["household_id"]}, event_id=check_in_id))
        self.assertEqual([r["status"] for r in results], ["applied", "applied", "duplicate"])

    def test_it_keeps_a_rejection_so_a_retry_gets_the_same_answer(self):
        bad = event("check_in", {"household_id": str(uuid.uuid4())})
        self.assertEqual(self.apply(bad)[0]["error"], "unknown_household")
        again = self.apply(bad)[0]
        self.assertEqual((again["status"], again["original_status"], again["error"]),
                         ("duplicate", "rejected", "unknown_household"))

    def test_it_refuses_a_twelve_digit_number_and_stores_nothing_of_it(self):
        payload = household_payload(notes="1234 5678 9012")
        result = self.apply(event("register_household", payload))[0]
        self.assertEqual((result["status"], result["error"]), ("rejected", "personal_number_refused"))
        self.assertFalse(Household.objects.exists())
        stored = CheckinEvent.objects.get()
        self.assertEqual((stored.details, stored.member_ids, stored.household_id), ({}, [], None))

    def test_it_refuses_a_twelve_digit_number_in_a_member(self):
        payload = household_payload()
        payload["members"][0]["care_notes"] = "１２３４５６７８９０１２"
        self.assertEqual(self.apply(event("register_household", payload))[0]["error"], "personal_number_refused")

    def test_it_rejects_a_naive_time(self):
        payload = household_payload()
        naive = event("register_household", payload)
        naive.occurred_at = "2026-11-25T10:00:00"
        self.assertEqual(self.apply(naive)[0]["error"], "invalid_time")

    def test_it_rejects_a_time_far_in_the_future(self):
        later = event("register_household", household_payload(), occurred_at=timezone.now() + timedelta(hours=1))
        self.assertEqual(self.apply(later)[0]["error"], "invalid_time")

    def test_it_names_the_bad_field(self):
        payload = household_payload(birth_date="1948-13-40")
        self.assertEqual(self.apply(event("register_household", payload))[0]["error"],
                         "invalid_payload:members.0.birth_date")

    def test_it_rejects_registering_a_known_household_id(self):
        payload = household_payload()
        self.apply(event("register_household", payload))
        self.assertEqual(self.apply(event("register_household", payload))[0]["error"], "household_exists")

    def test_it_checks_out_with_a_destination(self):
        payload = register_and_check_in(self.carol, self.opening)
        result = self.apply(event("check_out", {"household_id": payload["household_id"], "destination": "home"}))[0]
        self.assertEqual(result["status"], "applied")
        reg = Registration.objects.get()
        self.assertEqual((reg.state, reg.destination), ("checked_out", "home"))
        self.opening.refresh_from_db()
        self.assertEqual(self.opening.people_in, 0)

    def test_it_marks_a_transfer_and_expects_the_people_at_the_other_opening(self):
        from toki.shelters.actions.openings import open_shelter

        other = open_shelter(acting_user=self.alice, shelter=self.other_shelter, incident=self.incident)
        payload = register_and_check_in(self.carol, self.opening)
        self.apply(event("check_out", {"household_id": payload["household_id"], "destination": "other_shelter",
                                       "transfer_opening_id": other.pk}))
        self.assertEqual(Registration.objects.get(opening=self.opening).state, "transferred")
        self.assertEqual(Registration.objects.get(opening=other).state, "planned")

    def test_it_keeps_a_late_older_event_in_the_history_without_changing_the_state(self):
        payload = register_and_check_in(self.carol, self.opening)
        earlier = timezone.now() - timedelta(hours=1)
        result = self.apply(event("check_out", {"household_id": payload["household_id"]}, occurred_at=earlier))[0]
        self.assertEqual((result["status"], result["warnings"]), ("applied", ["superseded"]))
        self.assertEqual(Registration.objects.get().state, "checked_in")

    def test_it_warns_on_a_second_check_in_from_another_tablet(self):
        payload = register_and_check_in(self.carol, self.opening)
        result = self.apply(event("check_in", {"household_id": payload["household_id"]}))[0]
        self.assertEqual(result["warnings"], ["already_checked_in"])
        self.opening.refresh_from_db()
        self.assertEqual(self.opening.people_in, 1)

    def test_it_updates_a_household_and_adds_a_member(self):
        payload = register_and_check_in(self.carol, self.opening)
        new_member = str(uuid.uuid4())
        result = self.apply(event("update_household", {
            "household_id": payload["household_id"], "fields": {"pets": "犬1", "disclosure": "yes"},
            "members": [{"id": new_member, "name_kana": "サド タロウ"}]}))[0]
        self.assertEqual(result["status"], "applied")
        household = Household.objects.get(pk=payload["household_id"])
        self.assertEqual((household.pets, household.disclosure), ("犬1", "yes"))
        self.assertEqual(household.members.count(), 2)

    def test_it_refuses_to_move_a_member_of_another_household(self):
        one = register_and_check_in(self.carol, self.opening)
        two = register_and_check_in(self.carol, self.opening, kana="ハモチ ジロウ")
        result = self.apply(event("update_household", {"household_id": two["household_id"],
                                                       "members": [{"id": one["members"][0]["id"]}]}))[0]
        self.assertEqual(result["error"], "not_in_household")

    def test_it_refuses_a_check_in_after_the_opening_closed(self):
        from toki.shelters.actions.openings import close_opening

        payload = household_payload()
        self.apply(event("register_household", payload))
        close_opening(acting_user=self.carol, opening=self.opening)
        self.opening.refresh_from_db()
        result = self.apply(event("check_in", {"household_id": payload["household_id"]}))[0]
        self.assertEqual(result["error"], "opening_closed")

    def test_it_accepts_a_check_in_made_offline_before_the_closing(self):
        from toki.shelters.actions.openings import close_opening

        payload = household_payload()
        before = timezone.now()
        self.apply(event("register_household", payload, occurred_at=before))
        close_opening(acting_user=self.carol, opening=self.opening)
        result = self.apply(event("check_in", {"household_id": payload["household_id"]}, occurred_at=before))[0]
        self.assertEqual(result["status"], "applied")

    def test_it_writes_one_audit_event_per_batch_with_counts_only(self):
        payload = household_payload()
        self.apply(event("register_household", payload), event("check_in", {"household_id": payload["household_id"]}))
        audit = AuditEvent.objects.filter(action="shelters.events.sync").get()
        self.assertEqual(audit.changes, {"applied": 2, "duplicate": 0, "rejected": 0, "source": "tablet"})
        self.assertNotIn("サド", str(audit.changes))

    def test_it_refuses_an_outsider(self):
        with self.assertRaises(NotAllowed):
            self.apply(event("register_household", household_payload()), user=self.eve)
        with self.assertRaises(NotAllowed):
            self.apply(event("register_household", household_payload()), user=self.bob)

    def test_it_lets_hq_work_on_any_opening(self):
        self.assertEqual(self.apply(event("register_household", household_payload()), user=self.alice)[0]["status"],
                         "applied")

    def test_it_checks_in_by_qr_token(self):
        from toki.shelters.actions.households import pre_register

        household = pre_register(municipality=self.municipality, household={"disclosure": "yes"},
                                 members=[{"name_kana": "サド ハナコ"}])
        result = self.apply(event("check_in", {"qr_token": f"TOKI-SHELTER:1:{household.qr_token}"}))[0]
        self.assertEqual(result["server_ids"]["household_id"], str(household.pk))
        self.assertEqual(self.apply(event("check_in", {"qr_token": "nope"}))[0]["error"], "unknown_qr")

    def test_it_links_a_transport_card_at_first_tap_and_finds_it_next_time(self):
        payload = household_payload()
        member_id = payload["members"][0]["id"]
        self.apply(event("register_household", payload),
                   event("check_in", {"household_id": payload["household_id"], "card_id": "0114A1B2C3D4E5F6",
                                      "member_ids": [member_id]}))
        self.assertIsNotNone(Member.objects.get(pk=member_id).card_hash)
        self.assertNotEqual(Member.objects.get(pk=member_id).card_hash, "0114A1B2C3D4E5F6")
        self.apply(event("check_out", {"household_id": payload["household_id"]}))
        result = self.apply(event("check_in", {"card_id": "0114a1b2c3d4e5f6"}))[0]
        self.assertEqual((result["status"], result["server_ids"]["member_ids"]), ("applied", [member_id]))

    def test_it_computes_crowding_from_occupancy_and_announces_changes(self):
        from toki.events.models import Event

        before = Event.objects.count()
        with self.captureOnCommitCallbacks(execute=True):
            register_and_check_in(self.carol, self.opening, extra=7)  # 8 of 10 → 混雑
        self.assertEqual(ShelterOpening.objects.get(pk=self.opening.pk).crowding, "crowded")
        registrations = sorted(Registration.objects.filter(opening=self.opening).values_list("pk", flat=True))
        self.assertEqual(list(Event.objects.order_by("pk")[before:].values_list("name", "ids")),
                         [("shelters.opening_crowding_changed", {"opening_id": self.opening.pk}),
                          ("shelters.people_checked_in", {"opening_id": self.opening.pk,
                                                          "registration_ids": registrations})])
