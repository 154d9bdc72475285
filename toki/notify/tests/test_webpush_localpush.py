"""The local push service refuses what a push service refuses (RFC 8030, 8291, 8292), and the transport maps its
answers to outcomes; the RFC 8291 decryption written from the RFC reads what pywebpush encrypted."""

import io
import time

import requests
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from pywebpush import WebPusher

from toki.notify.channels import Content, Outcome
from toki.notify.tests.webpush_support import LocalPushMixin
from toki.notify.webpush import vapid
from toki.notify.webpush.ece import BrowserKeys, DecryptError, subscription_json
from toki.notify.webpush.subscription import parse
from toki.notify.webpush.transport import PAYLOAD_MAX, WebPushTransport, _payload

SUBJECT = "mailto:bousai@example.jp"
RETRY_KEY = "6f1c2b1e-8a2b-4f7e-9a51-1d0f3c1d2e3f"


class LocalPushServiceTests(LocalPushMixin, SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_push_service()

    def setUp(self):
        super().setUp()
        self.keys = self.vapid
        self.subscription = self.push.subscribe(vapid.public_key(self.keys))

    def post(self, data=b'{"title": "t"}', *, ttl=60, keys=None, claims=None, drop=(), subscription=None,
             encoding="aes128gcm"):
        subscription = subscription or self.subscription
        signer = keys or self.keys
        claims = {"aud": self.push.base_url, "sub": SUBJECT, "exp": int(time.time()) + 3600, **(claims or {})}
        headers = {**signer.sign(claims), "TTL": str(ttl), "Urgency": "high"}
        pusher = WebPusher(subscription)
        body = pusher.encode(data, encoding)["body"] if encoding == "aes128gcm" else data
        headers["Content-Encoding"] = encoding
        for name in drop:
            headers.pop(name, None)
        return requests.post(subscription["endpoint"], data=body, headers=headers, timeout=5)

    def reason(self, response) -> str:
        return response.headers.get("X-Reason", "")

    def test_it_accepts_and_decrypts_a_valid_push(self):
        response = self.post("避難指示 両津".encode())
        self.assertEqual(response.status_code, 201, self.reason(response))
        [message] = self.push.messages(self.subscription["endpoint"])
        self.assertEqual(message.payload.decode(), "避難指示 両津")
        self.assertEqual((message.ttl, message.urgency), (60, "high"))

    def test_it_requires_ttl(self):
        response = self.post(drop=("TTL",))
        self.assertEqual((response.status_code, "TTL" in self.reason(response)), (400, True))

    def test_it_requires_vapid(self):
        response = self.post(drop=("Authorization",))
        self.assertEqual(response.status_code, 401)

    def test_it_refuses_a_token_for_another_audience(self):
        response = self.post(claims={"aud": "https://fcm.googleapis.com"})
        self.assertEqual((response.status_code, "aud" in self.reason(response)), (401, True))

    def test_it_refuses_a_token_valid_for_more_than_24_hours(self):
        response = self.post(claims={"exp": int(time.time()) + 25 * 3600})
        self.assertEqual((response.status_code, "24 hours" in self.reason(response)), (401, True))

    def test_it_refuses_an_expired_token(self):
        self.assertEqual(self.post(claims={"exp": int(time.time()) - 10}).status_code, 401)

    def test_it_refuses_a_token_signed_by_another_key_than_k(self):
        other = vapid.generate()
        headers = self.keys.sign({"aud": self.push.base_url, "sub": SUBJECT, "exp": int(time.time()) + 3600})
        forged_k = vapid.public_key(other)
        token = headers["Authorization"].split("t=")[1].split(",")[0]
        response = requests.post(self.subscription["endpoint"], data=b"", timeout=5, headers={
            "Authorization": f"vapid t={token}, k={forged_k}", "TTL": "0"})
        self.assertEqual((response.status_code, "signature" in self.reason(response)), (401, True))

    def test_it_refuses_another_key_than_the_subscriptions(self):
        self.assertEqual(self.post(keys=vapid.generate()).status_code, 403)

    def test_it_refuses_another_content_encoding(self):
        self.assertEqual(self.post(encoding="aesgcm").status_code, 415)

    def test_it_refuses_a_payload_encrypted_for_another_browser(self):
        other = subscription_json(self.subscription["endpoint"], BrowserKeys.generate())
        response = self.post(subscription=other)
        self.assertEqual((response.status_code, "payload" in self.reason(response)), (400, True))

    def test_it_answers_404_for_an_unknown_endpoint_and_410_after_unsubscribing(self):
        unknown = {**self.subscription, "endpoint": self.push.base_url + "/push/nobody"}
        self.assertEqual(self.post(subscription=unknown).status_code, 404)
        self.push.unsubscribe(self.subscription["endpoint"])
        self.assertEqual(self.post().status_code, 410)

    def test_it_replaces_a_held_message_of_the_same_topic(self):
        for text in ("first", "second"):
            pusher = WebPusher(self.subscription)
            headers = {**self.keys.sign({"aud": self.push.base_url, "sub": SUBJECT}), "Topic": "alert42"}
            self.assertEqual(pusher.send(text, headers, ttl=60).status_code, 201)
        self.assertEqual([m.payload for m in self.push.messages(self.subscription["endpoint"])], [b"second"])


class DecryptTests(SimpleTestCase):
    def test_it_refuses_a_tampered_record(self):
        browser = BrowserKeys.generate()
        body = bytearray(WebPusher(subscription_json("https://x.invalid/p", browser)).encode(b"hello")["body"])
        self.assertEqual(browser.decrypt(bytes(body)), b"hello")
        body[-1] ^= 1
        with self.assertRaisesMessage(DecryptError, "authentication failed"):
            browser.decrypt(bytes(body))


class TransportTests(LocalPushMixin, SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_push_service()
        cls.enterClassContext(override_settings(TOKI_WEBPUSH_ENDPOINT_HOSTS=[cls.push.base_url]))

    def transport(self, **overrides) -> WebPushTransport:
        options = {"private_key": vapid.private_key_b64(self.vapid), "subject": SUBJECT, "ttl": 600, "timeout": 5,
                   "threads": 4, **overrides}
        return WebPushTransport(**options)

    def content(self, body="本文", category="notices") -> Content:
        return Content("ja", "題", "短い", body, "https://bousai.example.jp/", category=category, key="notice:1",
                       kind="new")

    def addresses(self, n):
        subscriptions = [self.push.subscribe() for _ in range(n)]
        return subscriptions, [parse(s).as_address() for s in subscriptions]

    def test_it_is_not_configured_without_a_key_or_subject(self):
        self.assertFalse(self.transport(private_key="").is_configured())
        self.assertFalse(self.transport(subject="").is_configured())
        with self.assertLogs("toki.notify.webpush.transport", "ERROR"):
            self.assertFalse(self.transport(private_key="not-a-key").is_configured())
        self.assertTrue(self.transport().is_configured())

    def test_it_renders_the_payload_with_the_envelope_and_extra(self):
        content = Content("ja", "題", "短い", "本文", "https://x/", extra={"level": 4, "title": "ignored"},
                          category="evacuation_orders", key="alert:7", kind="update")
        [message] = self.transport().render(content)
        self.assertEqual(message, {"title": "題", "short": "短い", "body": "本文", "url": "https://x/",
                                   "category": "evacuation_orders", "key": "alert:7", "kind": "update", "level": 4})

    def test_it_shortens_a_body_too_long_for_one_push_message(self):
        [message] = self.transport().render(self.content(body="避難してください。" * 400))
        self.assertLessEqual(len(_payload(message)), PAYLOAD_MAX)
        self.assertGreater(len(_payload(message)), PAYLOAD_MAX - 200)
        _subscriptions, addresses = self.addresses(1)
        result = self.transport().send(addresses, [message], retry_key=RETRY_KEY)
        self.assertEqual(result.outcome, Outcome.ACCEPTED, result.error)

    def test_it_sends_notices_with_normal_urgency(self):
        subscriptions, addresses = self.addresses(1)
        transport = self.transport()
        transport.send(addresses, transport.render(self.content()), retry_key=RETRY_KEY)
        self.assertEqual(self.push.messages(subscriptions[0]["endpoint"])[0].urgency, "normal")

    def test_it_reports_each_address_when_some_must_be_retried(self):
        subscriptions, addresses = self.addresses(3)
        self.push.unsubscribe(subscriptions[0]["endpoint"])
        self.push.fail_next(1, status=503, retry_after=7)
        transport = self.transport(threads=1)
        result = transport.send(addresses, transport.render(self.content()), retry_key=RETRY_KEY)
        self.assertEqual((result.outcome, result.retry_after), (Outcome.RETRY, 7.0))
        self.assertEqual((result.gone, result.accepted), ((addresses[0],), (addresses[2],)))

    def test_it_retries_a_timeout(self):
        _subscriptions, addresses = self.addresses(1)
        self.push.latency = 1.5
        self.addCleanup(setattr, self.push, "latency", 0.0)
        transport = self.transport(timeout=0.3)
        result = transport.send(addresses, transport.render(self.content()), retry_key=RETRY_KEY)
        self.assertEqual(result.outcome, Outcome.RETRY)
        self.assertIn("Timeout", result.error)

    def test_it_fails_a_request_the_service_refuses(self):
        _subscriptions, addresses = self.addresses(1)
        self.push.fail_next(1, status=400)
        transport = self.transport()
        result = transport.send(addresses, transport.render(self.content()), retry_key=RETRY_KEY)
        self.assertEqual((result.outcome, result.status), (Outcome.FAILED, 400))


class KeysCommandTests(SimpleTestCase):
    def test_it_prints_a_key_pair_the_transport_can_use(self):
        out = io.StringIO()
        call_command("webpush_keys", stdout=out)
        settings_lines = dict(line.split("=", 1) for line in out.getvalue().splitlines() if not line.startswith("#"))
        keys = vapid.load(settings_lines["TOKI_WEBPUSH_VAPID_PRIVATE_KEY"])
        self.assertIn(vapid.public_key(keys), out.getvalue())
        with override_settings(TOKI_WEBPUSH_VAPID_PRIVATE_KEY=settings_lines["TOKI_WEBPUSH_VAPID_PRIVATE_KEY"],
                               TOKI_WEBPUSH_VAPID_SUBJECT=SUBJECT):
            shown = io.StringIO()
            call_command("webpush_keys", "--show-public", stdout=shown)
        self.assertEqual(shown.getvalue().strip(), vapid.public_key(keys))
        self.assertTrue(settings_lines["TOKI_WEBPUSH_VAPID_SUBJECT"].startswith("mailto:"))
