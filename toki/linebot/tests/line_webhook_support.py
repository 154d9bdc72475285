"""Signed LINE webhook requests against the real view, with the local LINE server answering the replies."""

import copy
import json
from pathlib import Path

from django.test import override_settings

from toki.linebot.webhook import signature_for
from toki.notify.line.localserver import LocalLineServer
from toki.test import BaseTestCase

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WEBHOOK_FIXTURES = json.loads((FIXTURES / "line_webhook_events.json").read_text(encoding="utf-8"))
WEBHOOK_SPEC = FIXTURES / "line-webhook-openapi.yml"
TEST_SECRET = "toki-test-channel-secret-0123456789"  # a made-up channel secret
TEST_TOKEN = "toki-test-access-token"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def fixture_event(name: str, **changes) -> dict:
    event = copy.deepcopy(WEBHOOK_FIXTURES["events"][name])
    event.update(changes)
    return event


def body_of(*events: dict, destination: str | None = None) -> bytes:
    payload = {"destination": destination or WEBHOOK_FIXTURES["destination"], "events": list(events)}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


class LineWebhookTestCase(BaseTestCase):
    """A local LINE server for the whole class; settings pointing the SDK at it; tasks run when the webhook's
    transaction commits (as a worker would run them right after)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line = LocalLineServer(channel_access_token=TEST_TOKEN, latency=0.0)
        cls.line.start()
        cls.addClassCleanup(cls.line.stop)
        cls.line_settings = override_settings(
            LINE_CHANNEL_SECRET=TEST_SECRET, LINE_CHANNEL_ACCESS_TOKEN=TEST_TOKEN, LINE_API_BASE_URL=cls.line.base_url,
            LINE_API_DATA_BASE_URL=cls.line.base_url, TASKS=IMMEDIATE_TASKS, SITE_URL="https://bousai.example.jp")
        cls.line_settings.enable()
        cls.addClassCleanup(cls.line_settings.disable)

    def setUp(self):
        super().setUp()
        self.line.reset()

    def with_reply_token(self, event: dict) -> dict:
        """The event with a reply token the local server will accept once (for the event's user, if any)."""
        if event.get("replyToken") == "REPLY_TOKEN":
            user_id = (event.get("source") or {}).get("userId") or "U" + "9" * 32
            event = {**event, "replyToken": self.line.issue_reply_token(user_id)}
        return event

    def post_webhook(self, body: bytes, *, signature: str | None = None, secret: str = TEST_SECRET, **extra):
        """POST the raw body signed with `secret` (or with `signature` as given); runs the tasks on commit."""
        headers = {}
        if signature is None:
            headers["HTTP_X_LINE_SIGNATURE"] = signature_for(body, secret)
        elif signature:
            headers["HTTP_X_LINE_SIGNATURE"] = signature
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post("/line/webhook", data=body, content_type="application/json", **headers, **extra)

    def send_events(self, *events: dict):
        response = self.post_webhook(body_of(*[self.with_reply_token(e) for e in events]))
        self.assertEqual(response.status_code, 200, response.content)
        return response

    def replies_to(self, user_id: str) -> list[dict]:
        """Messages the local server accepted as replies for `user_id` (in order)."""
        return [m for d in self.line.received.get(user_id, []) if d.operation == "replyMessage" for m in d.messages]

    def reply_texts(self, user_id: str) -> str:
        texts = []
        for message in self.replies_to(user_id):
            texts.append(message.get("text") or message.get("altText") or json.dumps(message, ensure_ascii=False))
        return "\n".join(texts)

    def assert_all_requests_valid(self):
        self.assertEqual(self.line.invalid_requests, [])
