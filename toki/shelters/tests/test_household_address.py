"""Who may see a household's address: `toki.shelters.permissions.may_see_household`, the one rule, through the
pages. Those who manage the opening's shelter (HQ editors and admins, the shelter team from reporter up) see the
避難者カード; viewers, HQ of a lower role, other shelters' teams and outsiders see no address anywhere."""

from django.urls import reverse

from toki.accounts.models import OrgUnit, Role
from toki.shelters.tests.world import ShelterWorldMixin, register_and_check_in
from toki.test import BaseTestCase, member_with_role, wrong_place_personas

ADDRESS = "佐渡市両津夷一丁目二番三号"


class HouseholdAddressTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()
        cls.grace = wrong_place_personas(cls.municipality, cls.other_shelter)["grace"]
        cls.household_id = register_and_check_in(cls.carol, cls.opening, address=ADDRESS)["household_id"]
        cls.team_viewer = member_with_role("team_viewer", cls.team, Role.VIEWER)
        hq = OrgUnit.objects.get(kind=OrgUnit.Kind.HQ)
        cls.hq_viewer = member_with_role("hq_viewer", hq, Role.VIEWER)
        cls.hq_editor = member_with_role("hq_editor", hq, Role.EDITOR)

    def household_page(self, user):
        self.login(user)
        return self.client.get(reverse("shelters_household", args=[self.opening.pk, self.household_id]))

    def test_it_shows_the_address_to_the_shelters_own_team(self):
        self.assertContains(self.household_page(self.carol), ADDRESS)

    def test_it_shows_the_address_to_hq_editors_and_admins(self):
        for user in (self.alice, self.hq_editor):
            with self.subTest(user=user.username):
                self.assertContains(self.household_page(user), ADDRESS)

    def test_it_refuses_the_household_page_to_viewers_other_teams_and_outsiders(self):
        for user in (self.team_viewer, self.hq_viewer, self.grace, self.bob, self.dave, self.eve):
            with self.subTest(user=user.username):
                self.assertEqual(self.household_page(user).status_code, 404)

    def test_it_shows_viewers_the_opening_and_roster_without_the_address(self):
        for user in (self.team_viewer, self.hq_viewer):
            self.login(user)
            for url in (reverse("shelters_opening", args=[self.opening.pk]),
                        reverse("shelters_roster", args=[self.opening.pk])):
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertContains(response, "サド ハナコ")
                    self.assertNotContains(response, ADDRESS)

    def test_it_refuses_a_household_of_another_opening_even_to_its_manager(self):
        self.create_second_team()
        other = register_and_check_in(self.frank, self.other_opening, address=ADDRESS)["household_id"]
        self.login(self.carol)
        self.assertEqual(self.client.get(reverse("shelters_household", args=[self.opening.pk, other])).status_code,
                         404)

    def test_it_keeps_the_tablet_to_those_who_check_people_in(self):
        tablet = reverse("shelter_tablet")
        for user, status in ((self.carol, 200), (self.hq_editor, 200), (self.team_viewer, 403),
                             (self.hq_viewer, 403)):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(tablet).status_code, status)
