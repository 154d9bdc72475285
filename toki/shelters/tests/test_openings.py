"""Openings: status, crowding thresholds, the HQ board selector, permissions of the opening actions."""

from django.core.exceptions import ValidationError

from toki.accounts.models import AuditEvent
from toki.shelters.actions.errors import NotAllowed
from toki.shelters.actions.openings import close_opening, confirm_status, open_shelter, set_opening_status
from toki.shelters.models import crowding_for
from toki.shelters.selectors import open_shelters_with_occupancy
from toki.shelters.tests.world import ShelterWorldMixin, register_and_check_in
from toki.test import BaseTestCase


class OpeningTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world(is_drill=True)

    def test_it_computes_crowding_with_documented_thresholds(self):
        self.assertEqual([crowding_for(n, 10) for n in (0, 6, 7, 9, 10, 12)],
                         ["vacant", "vacant", "crowded", "crowded", "full", "full"])
        self.assertEqual(crowding_for(50, None), "unknown")
        self.assertEqual(crowding_for(50, 0), "unknown")

    def test_it_gives_the_hq_board_every_live_opening_with_occupancy_and_the_drill_flag(self):
        register_and_check_in(self.carol, self.opening, extra=2)
        with self.assertNumQueries(1):
            board = open_shelters_with_occupancy(self.municipality)
        self.assertEqual([(o.name, o.people_in, o.households_in, o.is_drill) for o in board],
                         [("両津小学校体育館", 3, 1, True)])
        self.assertEqual(open_shelters_with_occupancy(self.municipality, incident=self.incident)[0].opening_id,
                         self.opening.pk)

    def test_it_refuses_to_open_twice_for_the_same_incident(self):
        with self.assertRaises(ValidationError):
            open_shelter(acting_user=self.alice, shelter=self.shelter, incident=self.incident)

    def test_it_refuses_carol_another_shelter_and_eve_everything(self):
        with self.assertRaises(NotAllowed):
            open_shelter(acting_user=self.carol, shelter=self.other_shelter, incident=self.incident)
        for user in (self.eve, self.bob, self.dave):
            with self.assertRaises(NotAllowed):
                set_opening_status(acting_user=user, opening=self.opening, status="full")

    def test_it_lets_carol_fill_confirm_and_close_her_opening_with_audit(self):
        set_opening_status(acting_user=self.carol, opening=self.opening, status="full")
        confirm_status(acting_user=self.carol, opening=self.opening)
        closed = close_opening(acting_user=self.carol, opening=self.opening)
        self.assertIsNotNone(closed.closed_at)
        self.assertEqual(open_shelters_with_occupancy(self.municipality), [])
        self.assertEqual(AuditEvent.objects.filter(action__startswith="shelters.opening.").count(), 4)
        with self.assertRaises(ValidationError):
            set_opening_status(acting_user=self.carol, opening=self.opening, status="open")
