from urllib.parse import urlsplit

from django.test import override_settings

from toki.test import BaseTestCase
from toki.transport.fares.models import Purchase
from toki.transport.fares.tests.helpers import ProviderMixin


class ResidentPageTests(ProviderMixin, BaseTestCase):
    def test_it_offers_the_login_to_a_visitor_and_allows_the_provider_in_form_action(self):
        response = self.client.get("/fares/")
        self.assertContains(response, 'action="/fares/residency/start/"')
        self.assertIn(self.op.issuer, response["Content-Security-Policy"].split("form-action")[1].split(";")[0])
        self.assertIn(self.stripe.base, response["Content-Security-Policy"].split("form-action")[1].split(";")[0])

    def test_it_does_not_offer_the_login_when_no_provider_is_configured(self):
        with override_settings(TOKI_FARES_OIDC_ISSUER=""):
            self.assertNotContains(self.client.get("/fares/"), 'action="/fares/residency/start/"')
            self.assertEqual(self.client.post("/fares/residency/start/").status_code, 404)

    def test_it_refuses_get_on_the_actions(self):
        for path in ("/fares/residency/start/", "/fares/buy/", "/fares/forget/"):
            self.assertEqual(self.client.get(path).status_code, 405)
        self.assertEqual(self.client.post("/fares/residency/callback/").status_code, 405)

    def test_a_resident_does_not_see_another_residents_purchase(self):
        self.prove_residency()
        url = self.client.post("/fares/buy/", {"product": "day"})["Location"]
        session_id = urlsplit(url).path.rsplit("/", 1)[1]
        self.assertEqual(Purchase.objects.get().provider_session, session_id)
        self.client.post("/fares/forget/")
        self.op.person["sub"] = "someone-else"
        self.prove_residency()
        page = self.client.get(f"/fares/bought/{session_id}/")
        self.assertEqual(page.status_code, 200)
        self.assertIsNone(page.context["purchase"])

    def test_the_bought_page_without_a_holder_goes_back_to_the_start(self):
        self.assertRedirects(self.client.get("/fares/bought/cs_test_x/"), "/fares/")

    def test_the_card_is_issued_once_per_residency_period(self):
        self.prove_residency()
        self.client.get("/fares/")
        self.client.get("/fares/")
        from toki.transport.fares.models import Credential

        self.assertEqual(Credential.objects.filter(kind="card").count(), 1)
