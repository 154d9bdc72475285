from django.conf import settings
from django.urls import reverse

from toki.alerts.actions.orders import issue_evacuation_order
from toki.test import BaseTestCase


class TouristPageTests(BaseTestCase):
    def test_it_sets_the_language_from_its_own_url(self):
        response = self.client.get(reverse("portal:tourist_in", args=["en"]))
        self.assertRedirects(response, reverse("portal:tourist"), fetch_redirect_response=False)
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")

    def test_it_refuses_languages_it_does_not_offer(self):
        self.assertEqual(self.client.get(reverse("portal:tourist_in", args=["ja"])).status_code, 404)

    def test_it_tells_visitors_what_to_do_in_their_language(self):
        self.client.get(reverse("portal:tourist_in", args=["ko"]))
        response = self.client.get(reverse("portal:tourist"))
        self.assertContains(response, '<html lang="ko">')
        self.assertContains(response, "지금 해야 할 일")

    def test_it_shows_the_evacuation_orders_in_force(self):
        issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ogi"]], level=4,
                               hazard="tsunami", reason="津波")
        self.client.get(reverse("portal:tourist_in", args=["en"]))
        response = self.client.get(reverse("portal:tourist"))
        self.assertContains(response, 'class="order-now level-4"')
        self.assertContains(response, "Ogi (小木)")

    def test_it_shows_ferry_status_from_the_lifelines(self):
        from django.core.management import call_command

        call_command("seed_lifelines_demo", verbosity=0)
        self.client.get(reverse("portal:tourist_in", args=["en"]))
        response = self.client.get(reverse("portal:tourist"))
        self.assertContains(response, "佐渡汽船")

    def test_it_offers_the_nearest_sites_without_sending_the_location(self):
        response = self.client.get(reverse("portal:tourist"))
        self.assertContains(response, 'id="nearest"')
        self.assertContains(response, "js/nearest.js")
