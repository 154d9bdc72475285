"""Idempotency under real concurrency: the same events posted at the same moment from several threads (two
tablets, a retry racing the original) are applied exactly once. Real commits (TransactionTestCase) on PostgreSQL,
where the transactions truly overlap. Skipped on SQLite: Django's in-memory shared-cache test database answers
"table is locked" instead of queueing writers (a file database with IMMEDIATE transactions queues them; the
benchmark exercises that under gunicorn)."""

import threading
import unittest

from django.db import connection

from toki.shelters.actions.sync import apply_events
from toki.shelters.models import CheckinEvent, Household, Registration, ShelterOpening
from toki.shelters.tests.world import ShelterWorldMixin, event, household_payload
from toki.test import BaseTransactionTestCase

THREADS = 4


@unittest.skipIf(connection.vendor == "sqlite", "needs a database with concurrent transactions (PostgreSQL)")
class ConcurrentSyncTests(ShelterWorldMixin, BaseTransactionTestCase):
    def setUp(self):
        super().setUp()
        self.create_shelter_world()

    def at_once(self, batches: list[list]) -> list[list[dict]]:
        """Send each batch of events from its own thread (its own connection), all released together by a
        barrier; return each batch's results. Fails the test if any thread raised."""
        barrier = threading.Barrier(len(batches))
        results, errors = [None] * len(batches), []

        def post(index):
            try:
                barrier.wait(timeout=10)
                results[index] = apply_events(acting_user=self.carol, opening=self.opening,
                                              device_id=f"tab-{index}", events=batches[index])
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(i,)) for i in range(len(batches))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(errors, [])
        return results

    def race(self, events) -> list[list[dict]]:
        return self.at_once([events] * THREADS)

    def test_it_applies_the_same_events_once_when_posted_concurrently(self):
        payload = household_payload(extra=1)
        events = [event("register_household", payload),
                  event("check_in", {"household_id": payload["household_id"]})]
        results = self.race(events)
        statuses = [[r["status"] for r in batch] for batch in results]
        self.assertEqual(sum(batch == ["applied", "applied"] for batch in statuses), 1, statuses)
        self.assertEqual(sum(batch == ["duplicate", "duplicate"] for batch in statuses), THREADS - 1, statuses)
        self.assertEqual(CheckinEvent.objects.count(), 2)
        self.assertEqual(Household.objects.count(), 1)
        self.assertEqual(Registration.objects.count(), 2)
        self.assertEqual(ShelterOpening.objects.get(pk=self.opening.pk).people_in, 2)

    def test_it_counts_different_check_ins_from_several_tablets_exactly(self):
        payloads = [household_payload(kana=f"タブレット {i}") for i in range(THREADS)]
        apply_events(acting_user=self.carol, opening=self.opening, device_id="setup",
                     events=[event("register_household", p) for p in payloads])
        self.at_once([[event("check_in", {"household_id": p["household_id"]})] for p in payloads])
        self.assertEqual(ShelterOpening.objects.get(pk=self.opening.pk).people_in, THREADS)

    def test_it_registers_a_person_once_when_two_tablets_check_them_in_at_once(self):
        payload = household_payload()
        apply_events(acting_user=self.carol, opening=self.opening, device_id="setup",
                     events=[event("register_household", payload)])
        results = self.race_distinct(payload["household_id"])
        self.assertTrue(all(r[0]["status"] == "applied" for r in results), results)
        self.assertEqual(Registration.objects.count(), 1)
        self.assertEqual(CheckinEvent.objects.filter(type="check_in").count(), THREADS)
        self.assertEqual(ShelterOpening.objects.get(pk=self.opening.pk).people_in, 1)

    def race_distinct(self, household_id) -> list[list[dict]]:
        return self.at_once([[event("check_in", {"household_id": household_id})] for _ in range(THREADS)])

    def assert_counts_match_registrations(self):
        opening = ShelterOpening.objects.get(pk=self.opening.pk)
        present = Registration.objects.filter(opening=self.opening, state=Registration.State.CHECKED_IN)
        self.assertEqual((opening.people_in, opening.households_in),
                         (present.count(), present.values("household_id").distinct().count()))
        return opening

    def test_it_counts_a_household_once_when_its_members_arrive_and_leave_on_several_tablets_at_once(self):
        payloads = [household_payload(kana=f"カゾク {i}", extra=THREADS - 1) for i in range(2)]
        apply_events(acting_user=self.carol, opening=self.opening, device_id="setup",
                     events=[event("register_household", p) for p in payloads])
        jobs = [(p["household_id"], m["id"]) for p in payloads for m in p["members"]]

        def run(type_):
            self.at_once([[event(type_, {"household_id": household_id, "member_ids": [member_id]})]
                          for household_id, member_id in jobs])

        run("check_in")
        opening = self.assert_counts_match_registrations()
        self.assertEqual((opening.people_in, opening.households_in), (len(jobs), 2))
        run("check_out")
        opening = self.assert_counts_match_registrations()
        self.assertEqual((opening.people_in, opening.households_in), (0, 0))
