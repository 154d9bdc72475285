"""The tablet's push subscription through the notify channel's contract (toki.notify.actions.webpush)."""

from django.test import Client

from toki.community.models import Device
from toki.community.tests.support import CommunityTestCase
from toki.notify.models import Channel, Subscriber
from toki.notify.tests.test_webpush_subscriptions import browser_subscription


class PushSubscriptionTests(CommunityTestCase):
    def subscribe(self, tablet, body):
        return tablet.post("/tablet/push/subscribe/", body, content_type="application/json")

    def test_it_registers_the_subscription_for_the_households_district(self):
        tablet = self.tablet(self.hana)
        subscription = browser_subscription()
        self.assertEqual(self.subscribe(tablet, subscription).status_code, 200)
        subscriber = Subscriber.objects.get(channel=Channel.WEBPUSH)
        self.assertEqual([d.code for d in subscriber.districts.all()], ["ryotsu"])
        self.assertEqual(Device.objects.get(household=self.hana).push_endpoint, subscription["endpoint"])

    def test_it_refuses_a_subscription_the_channel_cannot_use(self):
        tablet = self.tablet(self.hana)
        bad = {**browser_subscription(), "keys": {"p256dh": "x", "auth": "y"}}
        self.assertEqual(self.subscribe(tablet, bad).status_code, 400)
        self.assertEqual(self.subscribe(tablet, "not json").status_code, 400)
        self.assertFalse(Subscriber.objects.filter(channel=Channel.WEBPUSH).exists())

    def test_it_unregisters_the_subscription_at_remote_sign_out(self):
        tablet = self.tablet(self.hana)
        self.subscribe(tablet, browser_subscription())
        staff = Client()
        staff.force_login(self.alice)
        staff.post(f"/community/devices/{Device.objects.get(household=self.hana).pk}/sign-out/")
        self.assertFalse(Subscriber.objects.get(channel=Channel.WEBPUSH).is_active)
