"""Channels are plug-ins with one shape (toki.notify.channels): a channel registered here, in the test, is planned,
claimed and sent like LINE, by the outbox as it is, from an evacuation order issued by HQ."""

from django.test import override_settings

from toki.alerts.actions.orders import issue_evacuation_order
from toki.notify import channels
from toki.notify.channels import ChannelTransport, Content, Outcome, SendResult
from toki.notify.models import Delivery, DeliveryBatch, DeliveryState, Notification
from toki.notify.tests.helpers import subscriber
from toki.test import BaseTestCase

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY = "dummy"


class DummyTransport(ChannelTransport):
    """A channel that takes two recipients per request and keeps what it was asked to send."""

    channel = DUMMY
    batch_size = 2
    requests: list[dict] = []

    def render(self, content: Content) -> list[dict]:
        return [{"title": content.title, "short": content.short, "url": content.url}]

    def send(self, addresses: list[str], messages: list[dict], *, retry_key: str) -> SendResult:
        self.requests.append({"to": list(addresses), "messages": messages, "retry_key": retry_key})
        return SendResult(Outcome.ACCEPTED, status=200, request_id=f"dummy-{len(self.requests)}")


# One sending thread: the test case's transaction is visible to its own connection only.
@override_settings(TASKS=IMMEDIATE_TASKS, NOTIFY_SEND_THREADS=1, SITE_URL="https://bousai.example.jp")
class RegisteredChannelTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        m, d = cls.municipality, cls.districts
        cls.ryotsu = [subscriber(m, channel=DUMMY, districts=[d["ryotsu"]]) for _ in range(2)]
        cls.everywhere = [subscriber(m, channel=DUMMY, language="en")]
        cls.aikawa = subscriber(m, channel=DUMMY, districts=[d["aikawa"]])

    def setUp(self):
        super().setUp()
        DummyTransport.requests = []

    def register(self):
        channels.register(DUMMY, f"{__name__}.DummyTransport")
        self.addCleanup(channels.unregister, DUMMY)

    def issue_order(self):
        """HQ issues an order for 両津; planning and sending run as the tasks they are, after commit."""
        with self.captureOnCommitCallbacks(execute=True):
            orders = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                            hazard="landslide", reason="土砂災害の危険")
        return Notification.objects.get(source_key=f"alert:{orders[0].issue_alert_id}")

    def test_it_plans_claims_and_sends_to_a_registered_channel(self):
        self.register()
        notification = self.issue_order()
        wanted = {s.address for s in self.ryotsu + self.everywhere}
        sent_to = [address for request in DummyTransport.requests for address in request["to"]]
        self.assertEqual(sorted(sent_to), sorted(wanted))  # each once; 相川 is not in the order
        self.assertTrue(all(len(request["to"]) <= DummyTransport.batch_size for request in DummyTransport.requests))
        batches = DeliveryBatch.objects.filter(notification=notification)
        self.assertEqual({b.channel for b in batches}, {DUMMY})
        self.assertEqual({b.state for b in batches}, {DeliveryState.ACCEPTED})
        self.assertEqual({str(b.retry_key) for b in batches}, {r["retry_key"] for r in DummyTransport.requests})
        self.assertEqual(set(Delivery.objects.filter(notification=notification).values_list("state", flat=True)),
                         {DeliveryState.ACCEPTED})

    def test_it_renders_each_language_through_the_channels_own_message_objects(self):
        self.register()
        self.issue_order()
        by_url = {request["messages"][0]["url"]: request["messages"][0] for request in DummyTransport.requests}
        english = by_url["https://bousai.example.jp/language/en/?next=/warnings/"]
        self.assertIn("Evacuation", english["title"])
        self.assertIn("https://bousai.example.jp/warnings/", by_url)

    def test_it_plans_nothing_for_a_channel_that_is_not_registered(self):
        notification = self.issue_order()
        self.assertEqual(notification.recipients, 0)
        self.assertEqual(DummyTransport.requests, [])
        with self.assertRaises(LookupError):
            channels.transport_for(DUMMY)

    def test_it_refuses_a_second_transport_for_a_registered_channel(self):
        self.register()
        with self.assertRaises(ValueError):
            channels.register(DUMMY, "toki.notify.line.transport.LineTransport")
