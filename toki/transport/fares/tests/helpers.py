"""Test helpers: the local OpenID provider and Stripe server wired to the settings, and a resident's login through
the real URLconf (POST start → the provider's authorize endpoint over HTTP → the callback)."""

from urllib.parse import urlsplit

import requests
from django.test import Client, override_settings

from toki.transport.fares.testing.keys import TEST_KEYS
from toki.transport.fares.testing.oidc_provider import LocalOpenIdProvider
from toki.transport.fares.testing.stripe_server import LocalStripe


class ProviderMixin:
    """Starts a LocalOpenIdProvider (self.op) and a LocalStripe (self.stripe) for each test."""

    client: Client  # the TestCase's

    def setUp(self):
        super().setUp()
        self.op = LocalOpenIdProvider().__enter__()
        self.addCleanup(self.op.__exit__)
        self.stripe = LocalStripe().__enter__()
        self.addCleanup(self.stripe.__exit__)
        wired = override_settings(TOKI_FARES_OIDC_ISSUER=self.op.issuer, TOKI_FARES_OIDC_CLIENT_ID="toki-fares",
                                  TOKI_FARES_STRIPE_API_BASE=self.stripe.base,
                                  TOKI_FARES_STRIPE_SECRET_KEY=self.stripe.secret_key,
                                  TOKI_FARES_STRIPE_WEBHOOK_SECRET=self.stripe.webhook_secret, **TEST_KEYS)
        wired.enable()
        self.addCleanup(wired.disable)

    def authorize(self) -> str:
        """Start a login on the site and let the provider answer; returns the callback path with its query."""
        response = self.client.post("/fares/residency/start/")
        assert response.status_code == 302, response.status_code
        answer = requests.get(response["Location"], allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        parts = urlsplit(answer.headers["Location"])
        return f"{parts.path}?{parts.query}"

    def prove_residency(self):
        return self.client.get(self.authorize())

    def buy(self, product="sub30") -> str:
        """The resident starts a purchase on the site; returns the local Stripe checkout URL."""
        response = self.client.post("/fares/buy/", {"product": product})
        assert response.status_code == 302, response.status_code
        return response["Location"]

    def pay(self, url: str) -> str:
        """The resident pays on the local checkout page; returns the session id."""
        session_id = urlsplit(url).path.rsplit("/", 1)[1]
        self.stripe.pay(session_id)
        return session_id

    def deliver_webhooks(self):
        """Post the webhooks the local Stripe server signed to the site's endpoint, as Stripe would."""
        answers = []
        while self.stripe.pending_webhooks:
            body, header = self.stripe.pending_webhooks.pop(0)
            answers.append(self.client.post("/fares/webhooks/stripe/", data=body, content_type="application/json",
                                            headers={"Stripe-Signature": header}))
        return answers
