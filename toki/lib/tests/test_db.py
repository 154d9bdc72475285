"""update_returning: one UPDATE … RETURNING on both engines (CI runs this file on SQLite and on PostgreSQL)."""

import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext

from toki.lib.db import update_returning
from toki.shelters.models import Household
from toki.shelters.tests.world import ShelterWorldMixin, register_and_check_in
from toki.test import BaseTestCase


class UpdateReturningTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def test_it_adds_in_the_database_and_returns_the_new_values_in_one_query(self):
        self.opening.people_in, self.opening.households_in = 4, 2
        self.opening.save()
        with CaptureQueriesContext(connection) as queries:
            row = update_returning(type(self.opening), self.opening.pk, add={"people_in": 3, "households_in": -1},
                                   returning=("people_in", "households_in", "status"))
        self.assertEqual(len(queries), 1)
        self.assertEqual(row, {"people_in": 7, "households_in": 1, "status": self.opening.status})
        self.opening.refresh_from_db()
        self.assertEqual((self.opening.people_in, self.opening.households_in), (7, 1))

    def test_it_sets_values_prepared_for_the_database_and_returns_foreign_keys_as_python_values(self):
        keep = Household.objects.get(pk=register_and_check_in(self.carol, self.opening)["household_id"])
        other_id = register_and_check_in(self.carol, self.opening, kana="アイカワ")["household_id"]
        other = Household.objects.get(pk=other_id)
        Household.objects.filter(pk=other.pk).update(merged_into=keep)
        before = other.updated_at
        row = update_returning(Household, other.pk, set_values={"updated_at": before.replace(year=2030)},
                               returning=("merged_into", "car_sleeping"))
        self.assertEqual(row, {"merged_into": keep.pk, "car_sleeping": False})
        self.assertIsInstance(row["merged_into"], uuid.UUID)
        other.refresh_from_db()
        self.assertEqual(other.updated_at, before.replace(year=2030))

    def test_it_answers_none_when_there_is_no_such_row(self):
        self.assertIsNone(update_returning(Household, uuid.uuid4(), set_values={"notes": "x"}, returning=("id",)))
        self.assertIsNone(update_returning(Household, uuid.uuid4(), set_values={"notes": "x"}))

    def test_it_updates_without_returning_anything(self):
        household_id = register_and_check_in(self.carol, self.opening)["household_id"]
        self.assertEqual(update_returning(Household, household_id, set_values={"notes": "犬 1"}), {})
        self.assertEqual(Household.objects.get(pk=household_id).notes, "犬 1")

    def test_it_refuses_an_update_with_nothing_to_set(self):
        with self.assertRaises(ValueError):
            update_returning(Household, uuid.uuid4(), returning=("id",))

    def test_it_refuses_an_unknown_field_before_touching_the_database(self):
        from django.core.exceptions import FieldDoesNotExist

        with self.assertRaises(FieldDoesNotExist), CaptureQueriesContext(connection) as queries:
            update_returning(Household, uuid.uuid4(), set_values={"notes; DROP TABLE x": "y"})
        self.assertEqual(len(queries), 0)
