import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import override_settings

from toki.test import BaseTestCase
from toki.transport.fares import credentials
from toki.transport.fares.credentials import Claims, InvalidCredential
from toki.transport.fares.testing.keys import TEST_KEYS, seed


def claims(**changes) -> Claims:
    now = int(datetime.now(UTC).timestamp())
    values: dict[str, Any] = {"sub": "4f5c3e1a-0000-4000-8000-000000000001", "kind": "card", "elig": True,
                              "exp": now + 3600,
              "iat": now, "jti": "9d1e6c3a-0000-4000-8000-000000000002"}
    values.update(changes)
    return Claims(**values)


@override_settings(**TEST_KEYS)
class CredentialTests(BaseTestCase):
    def test_it_verifies_what_it_signed(self):
        token = credentials.sign(claims())
        self.assertEqual(credentials.verify(token).kind, "card")

    def test_it_names_the_key_and_the_algorithm_in_the_header(self):
        header = json.loads(credentials.b64u_decode(credentials.sign(claims()).split(".")[0]))
        self.assertEqual(header, {"alg": "EdDSA", "kid": "test-2", "typ": "toki-fare+jwt"})

    def test_it_carries_only_what_the_checker_needs(self):
        payload = json.loads(credentials.b64u_decode(credentials.sign(claims()).split(".")[1]))
        self.assertEqual(set(payload), {"sub", "kind", "elig", "exp", "iat", "jti"})

    def test_it_refuses_an_expired_credential(self):
        token = credentials.sign(claims(exp=int(datetime.now(UTC).timestamp()) - 1))
        with self.assertRaisesMessage(InvalidCredential, "expired"):
            credentials.verify(token)

    def test_it_refuses_a_changed_payload(self):
        header, _payload, signature = credentials.sign(claims()).split(".")
        forged = credentials.b64u(json.dumps({"sub": "x", "kind": "sub30", "elig": True, "exp": 4102444800,
                                              "iat": 1, "jti": "y"}).encode())
        with self.assertRaisesMessage(InvalidCredential, "bad_signature"):
            credentials.verify(f"{header}.{forged}.{signature}")

    def test_it_refuses_an_unknown_key(self):
        with override_settings(TOKI_FARES_SIGNING_KEYS=[f"other:{seed('other')}"]):
            token = credentials.sign(claims())
        with self.assertRaisesMessage(InvalidCredential, "unknown_key"):
            credentials.verify(token)

    def test_it_still_verifies_a_credential_of_the_previous_key_after_rotation(self):
        old = override_settings(TOKI_FARES_SIGNING_KEYS=[TEST_KEYS["TOKI_FARES_SIGNING_KEYS"][1]])
        with old:
            token = credentials.sign(claims())
        self.assertEqual(credentials.verify(token).jti, claims().jti)

    def test_it_refuses_garbage_without_raising_anything_else(self):
        for bad in ["", "a.b", "a.b.c", "....", "x" * 5000, "eyJ.eyJ.!!", None, 12]:
            with self.assertRaises(InvalidCredential):
                credentials.verify(bad)

    def test_it_publishes_every_key_of_the_ring(self):
        response = self.client.get("/.well-known/toki-fares-jwks.json")
        keys = response.json()["keys"]
        self.assertEqual([k["kid"] for k in keys], ["test-2", "test-1"])
        self.assertEqual({(k["kty"], k["crv"], k["alg"]) for k in keys}, {("OKP", "Ed25519", "EdDSA")})
        self.assertNotIn("d", keys[0])

    def test_it_refuses_a_malformed_key_ring(self):
        from django.core.exceptions import ImproperlyConfigured

        with override_settings(TOKI_FARES_SIGNING_KEYS=["nokey"]), self.assertRaises(ImproperlyConfigured):
            credentials.sign(claims())

    def test_it_signs_with_no_key_configured_only_in_debug(self):
        from django.core.exceptions import ImproperlyConfigured

        with override_settings(TOKI_FARES_SIGNING_KEYS=[], DEBUG=False), self.assertRaises(ImproperlyConfigured):
            credentials.sign(claims())
        with override_settings(TOKI_FARES_SIGNING_KEYS=[], DEBUG=True):
            credentials.sign(claims(exp=int((datetime.now(UTC) + timedelta(hours=1)).timestamp())))
