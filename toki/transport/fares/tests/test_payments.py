import io
import time
from urllib.parse import urlsplit

import requests

from toki.accounts.models import AuditEvent
from toki.test import BaseTestCase
from toki.transport.fares import credentials
from toki.transport.fares.models import Credential, Holder, ProviderEvent, Purchase
from toki.transport.fares.payments.stripe.provider import signature_header
from toki.transport.fares.tests.helpers import ProviderMixin


class PaymentTests(ProviderMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.prove_residency()

    def test_it_sells_a_30_day_pass_through_checkout_and_the_signed_webhook(self):
        url = self.buy()
        self.assertTrue(url.startswith(self.stripe.base + "/pay/cs_test_"))
        self.pay(url)
        [answer] = self.deliver_webhooks()
        self.assertEqual(answer.json()["outcome"], "applied")
        purchase = Purchase.objects.get()
        self.assertEqual((purchase.status, purchase.amount_yen), ("paid", 5000))
        credential = Credential.objects.get(kind="sub30")
        self.assertAlmostEqual((credential.valid_until - purchase.paid_at).days, 30)
        page = self.client.get("/fares/").content.decode()
        token = page.split('<p class="fare-token" data-kind="sub30">')[1].split("<")[0]
        self.assertEqual(credentials.verify(token).kind, "sub30")

    def test_it_sends_the_amount_and_our_reference_to_stripe(self):
        self.buy()
        session = next(iter(self.stripe.sessions.values()))
        self.assertEqual((session["amount_total"], session["currency"]), (5000, "jpy"))
        self.assertEqual(session["client_reference_id"], str(Purchase.objects.get().public_id))

    def test_it_records_a_webhook_delivered_twice_once(self):
        self.pay(self.buy())
        body, header = self.stripe.pending_webhooks[0]
        self.stripe.pending_webhooks.append((body, header))
        answers = self.deliver_webhooks()
        self.assertEqual([a.json()["outcome"] for a in answers], ["applied", "duplicate"])
        self.assertEqual(Credential.objects.filter(kind="sub30").count(), 1)

    def test_it_refuses_a_webhook_with_a_bad_signature(self):
        self.pay(self.buy())
        body, _header = self.stripe.pending_webhooks.pop()
        for header in ["", "t=1,v1=00", signature_header("whsec_other", body, int(time.time())),
                       signature_header(self.stripe.webhook_secret, body, int(time.time()) - 3600)]:
            response = self.client.post("/fares/webhooks/stripe/", data=body, content_type="application/json",
                                        headers={"Stripe-Signature": header})
            self.assertEqual(response.status_code, 400)
        self.assertEqual(Purchase.objects.get().status, "pending")

    def test_it_refuses_a_signed_webhook_whose_body_is_not_an_event(self):
        body = b'{"hello": 1}'
        header = signature_header(self.stripe.webhook_secret, body, int(time.time()))
        response = self.client.post("/fares/webhooks/stripe/", data=body, content_type="application/json",
                                    headers={"Stripe-Signature": header})
        self.assertEqual(response.status_code, 400)

    def test_it_refuses_a_webhook_for_an_unknown_provider(self):
        self.assertEqual(self.client.post("/fares/webhooks/paypal/", data=b"{}",
                                          content_type="application/json").status_code, 400)

    def test_the_sweep_records_a_payment_whose_webhook_was_lost_and_only_once(self):
        from django.core.management import call_command

        self.stripe.drop_webhooks = True
        self.pay(self.buy())
        self.assertEqual(Purchase.objects.get().status, "pending")
        out = io.StringIO()
        call_command("fares_reconcile", stdout=out)
        call_command("fares_reconcile", stdout=out)
        self.assertEqual(out.getvalue().splitlines(), ["fares_reconcile: applied 1", "fares_reconcile: duplicate 1"])
        self.assertEqual(Purchase.objects.get().status, "paid")
        self.assertEqual(Credential.objects.filter(kind="sub30").count(), 1)
        self.stripe.drop_webhooks = False
        self.stripe.send_webhook(self.stripe.events[0])  # Stripe's late retry
        self.assertEqual(self.deliver_webhooks()[0].json()["outcome"], "duplicate")

    def test_the_sweep_does_nothing_without_a_configured_provider(self):
        from django.core.management import call_command
        from django.test import override_settings

        out = io.StringIO()
        with override_settings(TOKI_FARES_STRIPE_SECRET_KEY=""):
            call_command("fares_reconcile", stdout=out)
        self.assertIn("no payment provider configured", out.getvalue())

    def test_a_retried_checkout_request_creates_one_session(self):
        purchase_key = "toki-fixed-key"
        form = {"mode": "payment", "success_url": "http://x/s", "cancel_url": "http://x/c",
                "line_items[0][price_data][currency]": "jpy", "line_items[0][price_data][unit_amount]": "5000",
                "line_items[0][quantity]": "1"}
        headers = {"Authorization": f"Bearer {self.stripe.secret_key}", "Idempotency-Key": purchase_key}
        first = requests.post(f"{self.stripe.base}/v1/checkout/sessions", data=form, headers=headers, timeout=5)
        second = requests.post(f"{self.stripe.base}/v1/checkout/sessions", data=form, headers=headers, timeout=5)
        self.assertEqual(first.json()["id"], second.json()["id"])
        self.assertEqual(len(self.stripe.sessions), 1)

    def test_a_refund_revokes_the_pass_and_the_refund_webhook_changes_nothing_more(self):
        self.pay(self.buy())
        self.deliver_webhooks()
        purchase = Purchase.objects.get()
        self.login(self.alice)
        self.assertRedirects(self.client.post(f"/fares/staff/purchases/{purchase.pk}/refund/"), "/fares/staff/")
        purchase.refresh_from_db()
        self.assertEqual(purchase.status, "refunded")
        self.assertIsNotNone(Credential.objects.get(kind="sub30").revoked_at)
        self.assertEqual(self.deliver_webhooks()[0].json()["outcome"], "applied")
        self.assertEqual(AuditEvent.objects.filter(action="fares.purchase.refunded").count(), 1)
        self.assertEqual(self.client.post(f"/fares/staff/purchases/{purchase.pk}/refund/").status_code, 400)

    def test_a_refund_is_refused_to_an_outsider(self):
        self.pay(self.buy())
        self.deliver_webhooks()
        purchase = Purchase.objects.get()
        for persona in (self.eve, self.bob, self.carol, self.dave):
            self.client.force_login(persona)
            self.assertEqual(self.client.post(f"/fares/staff/purchases/{purchase.pk}/refund/").status_code, 404)
        self.assertEqual(Purchase.objects.get().status, "paid")

    def test_it_refuses_an_unknown_product(self):
        self.assertEqual(self.client.post("/fares/buy/", {"product": "free"}).status_code, 400)
        self.assertFalse(Purchase.objects.exists())

    def test_it_does_not_sell_the_resident_fare_to_a_holder_not_eligible(self):
        Holder.objects.update(is_resident=False)
        self.assertEqual(self.client.post("/fares/buy/", {"product": "sub30"}).status_code, 400)
        self.assertFalse(Purchase.objects.exists())

    def test_it_sends_someone_without_a_verified_residency_to_the_start(self):
        self.client.post("/fares/forget/")
        self.assertRedirects(self.client.post("/fares/buy/", {"product": "sub30"}), "/fares/")

    def test_it_answers_502_when_stripe_is_down_and_keeps_the_pending_purchase(self):
        self.stripe.__exit__()
        self.assertEqual(self.client.post("/fares/buy/", {"product": "sub30"}).status_code, 502)
        self.assertEqual(Purchase.objects.get().status, "pending")

    def test_an_expired_checkout_expires_the_purchase(self):
        session_id = urlsplit(self.buy()).path.rsplit("/", 1)[1]
        self.stripe.expire(session_id)
        self.deliver_webhooks()
        self.assertEqual(Purchase.objects.get().status, "expired")

    def test_it_ignores_a_payment_of_another_amount(self):
        self.pay(self.buy())
        Purchase.objects.update(amount_yen=6000)
        self.deliver_webhooks()
        self.assertEqual(Purchase.objects.get().status, "pending")
        self.assertTrue(AuditEvent.objects.filter(action="fares.payment.amount_mismatch").exists())
        self.assertEqual(ProviderEvent.objects.count(), 1)
