"""Issue 14 item 9: shelter staff find the tablet (a link on their home) and /shelter-ops/ says what to do before a
shelter is opened, even before their team is linked to a shelter."""

from django.urls import reverse

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.shelters.actions.master import link_shelter_team
from toki.shelters.actions.openings import close_opening
from toki.shelters.tests.world import ShelterWorldMixin, make_shelter
from toki.test import BaseTestCase


class FindingTheTabletTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def test_carols_home_links_shelter_operations_and_the_tablet(self):
        self.login(self.carol)
        home = self.client.get(reverse("accounts:home"))
        self.assertContains(home, 'href="/shelter-ops/"')
        self.assertContains(home, 'href="/shelter-ops/tablet/"')

    def test_others_get_no_such_links(self):
        for user in (self.bob, self.dave, self.eve):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertNotContains(self.client.get(reverse("accounts:home")), 'href="/shelter-ops/tablet/"')

    def test_a_team_whose_shelter_is_not_open_is_told_to_open_it(self):
        close_opening(acting_user=self.alice, opening=self.opening)
        self.login(self.carol)
        page = self.client.get("/shelter-ops/")
        self.assertContains(page, "受付を始めるには、下で災害を選んで避難所を開設してください")
        self.assertContains(page, "両津小学校体育館")

    def test_a_team_not_linked_to_a_shelter_yet_is_told_what_to_do(self):
        team = account_actions.ensure_org_unit(acting_user=None, name="新しい避難所運営班",
                                               kind=OrgUnit.Kind.SHELTER_TEAM)
        user = account_actions.ensure_user(acting_user=None, username="heidi", display_name="ハイジ",
                                           password="x-" + "y" * 20)
        account_actions.grant_membership(acting_user=None, user=user, org_unit=team, role=Role.REPORTER)
        self.client.force_login(user)
        page = self.client.get("/shelter-ops/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "まだ避難所に結び付けられていません")


class BeforeAnyIncidentTests(BaseTestCase):
    def test_the_page_says_how_a_shelter_opens(self):
        shelter = make_shelter(self.municipality, "E1522400009111", "両津小学校体育館", 38.0790, 138.4370)
        link_shelter_team(acting_user=None, org_unit=OrgUnit.objects.get(kind=OrgUnit.Kind.SHELTER_TEAM),
                          shelter=shelter)
        self.login(self.carol)
        page = self.client.get("/shelter-ops/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "災害対策本部はまだ災害を登録していません")
        self.assertContains(page, 'href="/shelter-ops/tablet/"')
