import logging
import time
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.test import BaseTestCase
from toki.transport.fares.models import Holder
from toki.transport.fares.oidc import SESSION_KEY
from toki.transport.fares.testing.oidc_provider import NIIGATA_ADDRESS
from toki.transport.fares.tests.helpers import ProviderMixin


class ResidencyTests(ProviderMixin, BaseTestCase):
    def test_it_records_a_sado_resident_with_a_pseudonym_flag_and_expiry(self):
        response = self.prove_residency()
        self.assertRedirects(response, "/fares/", fetch_redirect_response=False)
        holder = Holder.objects.get()
        self.assertTrue(holder.is_resident)
        self.assertEqual(len(holder.pseudonym), 64)
        self.assertAlmostEqual((holder.expires_at - timezone.now()).days, 364, delta=1)
        self.assertContains(self.client.get("/fares/"), 'data-kind="card"')

    def test_it_uses_the_code_flow_with_pkce_and_a_nonce(self):
        response = self.client.post("/fares/residency/start/")
        location = response["Location"]
        for part in ("response_type=code", "code_challenge_method=S256", "code_challenge=", "nonce=", "state="):
            self.assertIn(part, location)

    def test_it_accepts_es256_id_tokens(self):
        self.op.alg = "ES256"
        self.prove_residency()
        self.assertTrue(Holder.objects.get().is_resident)

    def test_it_does_not_make_someone_from_niigata_city_a_resident(self):
        self.op.person["address"] = dict(NIIGATA_ADDRESS)
        self.prove_residency()
        holder = Holder.objects.get()
        self.assertFalse(holder.is_resident)
        self.assertNotContains(self.client.get("/fares/"), 'data-kind="card"')

    def refused(self, code: str):
        response = self.prove_residency()
        self.assertContains(response, code, status_code=400)
        self.assertFalse(Holder.objects.exists())

    def test_it_refuses_an_expired_id_token(self):
        self.op.id_token_claims = {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}
        self.refused("expired")

    def test_it_refuses_a_token_for_another_audience(self):
        self.op.id_token_claims = {"aud": "someone-else"}
        self.refused("wrong_audience")

    def test_it_refuses_a_token_from_another_issuer(self):
        self.op.id_token_claims = {"iss": "https://evil.example"}
        self.refused("wrong_issuer")

    def test_it_refuses_a_bad_signature(self):
        self.op.sign_with_stranger_key = True
        self.refused("bad_signature")

    def test_it_refuses_a_token_with_another_nonce(self):
        self.op.id_token_claims = {"nonce": "not-the-one-we-sent"}
        self.refused("nonce_mismatch")

    def test_it_refuses_a_state_mismatch(self):
        callback = self.authorize().replace("state=", "state=x")
        self.assertContains(self.client.get(callback), "state_mismatch", status_code=400)

    def test_it_refuses_a_callback_replayed(self):
        callback = self.authorize()
        self.client.get(callback)
        self.assertContains(self.client.get(callback), "state_mismatch", status_code=400)

    def test_it_refuses_a_nonce_seen_before(self):
        self.client.post("/fares/residency/start/")
        flow = dict(self.client.session[SESSION_KEY])
        self.client.get(self.authorize_with(flow))
        self.assertEqual(Holder.objects.count(), 1)
        session = self.client.session
        session[SESSION_KEY] = dict(flow, started=int(time.time()))
        session.save()
        self.assertContains(self.client.get(self.authorize_with(flow)), "nonce_replay", status_code=400)

    def authorize_with(self, flow: dict) -> str:
        """The provider's answer to an authorization request with this flow's state, nonce and verifier."""
        import base64
        import hashlib
        from urllib.parse import urlsplit

        challenge = base64.urlsafe_b64encode(hashlib.sha256(flow["verifier"].encode()).digest()).rstrip(b"=")
        session = self.client.session
        session[SESSION_KEY] = flow
        session.save()
        _status, headers = self.op.authorize({
            "client_id": "toki-fares", "redirect_uri": "http://testserver/fares/residency/callback/",
            "response_type": "code", "scope": "openid address", "state": flow["state"], "nonce": flow["nonce"],
            "code_challenge": challenge.decode(), "code_challenge_method": "S256"})
        parts = urlsplit(headers["Location"])
        return f"{parts.path}?{parts.query}"

    def test_it_refuses_a_wrong_pkce_verifier(self):
        callback = self.authorize()
        session = self.client.session
        session[SESSION_KEY] = dict(session[SESSION_KEY], verifier="x" * 64)
        session.save()
        self.assertContains(self.client.get(callback), "token_refused", status_code=400)

    def test_it_refuses_a_callback_without_a_login_started(self):
        self.assertContains(self.client.get("/fares/residency/callback/?code=abc&state=def"), "state_mismatch",
                            status_code=400)

    def test_it_refuses_the_providers_error_answer(self):
        self.client.post("/fares/residency/start/")
        state = self.client.session[SESSION_KEY]["state"]
        response = self.client.get(f"/fares/residency/callback/?error=access_denied&state={state}")
        self.assertContains(response, "provider_refused", status_code=400)

    def test_it_answers_502_when_the_provider_is_down(self):
        self.op.__exit__()
        self.assertEqual(self.client.post("/fares/residency/start/").status_code, 502)

    def test_it_asks_to_verify_again_after_expiry_and_extends_it(self):
        self.prove_residency()
        Holder.objects.update(expires_at=timezone.now() - timedelta(days=1))
        page = self.client.get("/fares/")
        self.assertContains(page, 'data-state="verify-again"')
        self.assertNotContains(page, 'data-kind="card"')
        self.prove_residency()
        holder = Holder.objects.get()
        self.assertGreater(holder.expires_at, timezone.now() + timedelta(days=300))

    def test_it_keeps_the_same_pseudonym_for_the_same_person(self):
        self.prove_residency()
        self.client.post("/fares/forget/")
        self.prove_residency()
        self.assertEqual(Holder.objects.count(), 1)


class NoPersonalDataTests(ProviderMixin, BaseTestCase):
    def test_it_stores_and_logs_neither_the_address_nor_the_number_nor_the_subject(self):
        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append(self.format(record))

        handler = Keep(level=logging.DEBUG)
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            self.prove_residency()
            self.client.get("/fares/")
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        secrets = [self.op.person["sub"], "123456789012", "両津夷", "佐渡 太郎", "新潟県佐渡市"]
        stored = []
        for model in apps.get_models():
            if model._meta.app_label in ("fares", "accounts", "events", "sessions"):
                for row in model.objects.all().values():
                    stored.append(repr(row))
        stored.append(repr(list(AuditEvent.objects.values())))
        self.assertTrue(any("fares" in text for text in stored))
        for secret in secrets:
            for text in stored + records:
                self.assertNotIn(secret, text)
