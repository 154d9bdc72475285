"""Security issue 13, finding 16: the tablet deletes its offline roster at logout and after an idle time, and says
so. What the browser does with it is checked in tests_browser/shelter_pwa.py (`check_forgets`); these are the
server's side: the setting reaches the page, the page offers a logout that works, and says what is deleted."""

from django.test import override_settings

from toki.shelters.tests.test_tablet import SIMPLE_STATIC, TABLET, config_of
from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import BaseTestCase


@override_settings(STORAGES=SIMPLE_STATIC, TOKI_SHELTER_TABLET_IDLE_MINUTES=7)
class TabletPrivacyTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def setUp(self):
        super().setUp()
        self.client.cookies["toki_language"] = "en"
        self.login(self.carol)

    def test_it_gives_the_tablet_the_configured_idle_time_and_the_logout_address(self):
        config = config_of(self.client.get(TABLET))
        self.assertEqual((config["idleMinutes"], config["logoutUrl"]), (7, "/accounts/logout/"))
        self.assertIn("%(minutes)s minutes without use", config["strings"]["idle_forgotten"])  # filled in by tablet.js

    def test_it_tells_staff_what_the_tablet_deletes_and_when(self):
        self.assertContains(self.client.get(TABLET),
                            "When you log out, or after 7 minutes without use, this tablet deletes its list of people.")

    def test_it_offers_a_logout_that_ends_the_session(self):
        page = self.client.get(TABLET)
        self.assertContains(page, '<form id="logout-form" method="post" action="/accounts/logout/"')
        self.client.post("/accounts/logout/")
        self.assertEqual(self.client.get("/api/v1/shelters/staff/openings").status_code, 401)

    def test_it_ships_the_forgetting_code_to_the_tablet(self):
        from pathlib import Path

        from django.contrib.staticfiles import finders

        store = Path(finders.find("shelterops/store.js")).read_text(encoding="utf-8")
        tablet = Path(finders.find("shelterops/tablet.js")).read_text(encoding="utf-8")
        self.assertIn('tx.objectStore("rosters").clear()', store)
        self.assertIn('forget("logout")', tablet)
        self.assertIn('forget("idle")', tablet)
        self.assertIn('onLoggedOut: () => forget("session")', tablet)
