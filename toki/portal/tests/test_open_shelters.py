"""Issue 4 × 7: the portal shows which shelters are open now (status and crowding), nearest open first, in the
static 軽量版 too, and republishes on opening changes. Drills never reach the public."""

import json

from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from toki.portal.static_site.data import collect, shelters_json, situation_json
from toki.shelters.actions.openings import close_opening, open_shelter, set_crowding
from toki.shelters.selectors import nearest_open_shelters
from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin


@override_settings(TASKS=DATABASE_TASKS)
class OpenSheltersOnThePortalTests(QueueMixin, ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def english(self):
        self.client.cookies["toki_language"] = "en"

    def test_it_lists_open_shelters_with_crowding_on_the_shelters_page(self):
        set_crowding(acting_user=self.alice, opening=self.opening, crowding="crowded")
        self.english()
        response = self.client.get(reverse("portal:shelters"))
        self.assertContains(response, "Shelters open now")
        self.assertContains(response, "Crowded")
        points = json.loads(response.context["map_points"] and json.dumps(response.context["map_points"],
                                                                            default=str))
        self.assertTrue(next(p for p in points if p["id"] == self.shelter.pk)["open"])

    def test_it_shows_open_shelters_on_the_home_and_tourist_pages(self):
        self.english()
        self.assertContains(self.client.get(reverse("portal:home")), "両津小学校体育館")
        self.assertContains(self.client.get(reverse("portal:tourist")), "両津小学校体育館")

    def test_it_says_when_nothing_is_open(self):
        close_opening(acting_user=self.alice, opening=self.opening)
        self.english()
        self.assertContains(self.client.get(reverse("portal:home")), "No shelter has been opened by the city.")

    def test_it_never_shows_a_drill_opening(self):
        self.incident.is_drill = True
        self.incident.save()
        self.english()
        self.assertNotContains(self.client.get(reverse("portal:home")), "両津小学校体育館")

    def test_it_ranks_open_before_full_then_by_distance(self):
        other = open_shelter(acting_user=self.alice, shelter=self.other_shelter, incident=self.incident)
        near_other = (38.03, 138.24)
        self.assertEqual([n.shelter.opening_id for n in nearest_open_shelters(*near_other)],
                         [other.pk, self.opening.pk])
        set_crowding(acting_user=self.alice, opening=other, crowding="full")
        self.assertEqual([n.shelter.opening_id for n in nearest_open_shelters(*near_other, n=1)], [self.opening.pk])

    def test_it_puts_open_shelters_in_the_static_json(self):
        data = collect(self.municipality)
        situation = situation_json(data, self.opening.opened_at)
        self.assertEqual([(s["name"], s["status"], s["crowding"]) for s in situation["open_shelters"]],
                         [("両津小学校体育館", "open", "vacant")])
        self.assertEqual(len(shelters_json(data, self.opening.opened_at)["open_shelters"]), 1)

    def test_it_republishes_the_static_site_when_an_opening_changes(self):
        with self.captureOnCommitCallbacks(execute=True):
            set_crowding(acting_user=self.alice, opening=self.opening, crowding="full")
        self.assertEqual(self.enqueued(), 1)

    def test_it_does_not_republish_for_a_drill(self):
        self.incident.is_drill = True
        self.incident.save()
        with self.captureOnCommitCallbacks(execute=True):
            set_crowding(acting_user=self.alice, opening=self.opening, crowding="full")
        self.assertEqual(self.enqueued(), 0)

    def enqueued(self) -> int:
        """Republishes asked for, once the committed changes' domain events were delivered (ADR 0007)."""
        self.run_queued_tasks()
        return DBTaskResult.objects.filter(task_path="toki.portal.tasks.publish_static_site").count()
