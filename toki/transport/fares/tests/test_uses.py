import json
import uuid
from datetime import timedelta

from django.utils import timezone

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.test import PERSONA_PASSWORD, BaseTestCase
from toki.transport.fares import actions
from toki.transport.fares.models import Credential, Holder, UseEvent
from toki.transport.fares.testing.keys import TEST_KEYS


def ferry_clerk():
    """A reporter of the ferry company (a partner org unit): a checker at the window."""
    user = account_actions.ensure_user(acting_user=None, username="kisen", display_name="汽船 窓口",
                                       password=PERSONA_PASSWORD)
    unit = account_actions.ensure_org_unit(acting_user=None, name="佐渡汽船 両津港", kind=OrgUnit.Kind.PARTNER)
    account_actions.grant_membership(acting_user=None, user=user, org_unit=unit, role=Role.REPORTER)
    return user


class UseSyncTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.clerk = ferry_clerk()

    def setUp(self):
        super().setUp()
        from django.test import override_settings

        keys = override_settings(**TEST_KEYS)
        keys.enable()
        self.addCleanup(keys.disable)
        self.holder = Holder.objects.create(pseudonym="a" * 64, is_resident=True,
                                            expires_at=timezone.now() + timedelta(days=300))
        self.single, _token = actions.issue_credential(holder=self.holder, kind=Credential.Kind.SINGLE)
        self.login(self.clerk)

    def use(self, credential=None, *, when=None, event_id=None, **payload):
        credential = credential or self.single
        body = {"jti": str(credential.jti), "kind": credential.kind, "place": "bus"}
        body.update(payload)
        return {"id": str(event_id or uuid.uuid4()), "type": "use",
                "occurred_at": (when or timezone.now()).isoformat(), "payload": body}

    def send(self, events, device="checker-1"):
        return self.client.post("/fares/checker/uses", data=json.dumps({"device_id": device, "events": events}),
                                content_type="application/json")

    def test_it_stores_a_use_once_and_answers_duplicate_on_a_retry(self):
        event = self.use()
        self.assertEqual(self.send([event]).json()["results"][0]["status"], "applied")
        second = self.send([event]).json()["results"][0]
        self.assertEqual((second["status"], second["original_status"]), ("duplicate", "applied"))
        self.assertEqual(UseEvent.objects.count(), 1)

    def test_it_finds_a_single_ride_used_on_two_devices_when_they_sync(self):
        early = timezone.now() - timedelta(minutes=5)
        self.send([self.use(when=early)], device="bus-1")
        result = self.send([self.use()], device="bus-2").json()["results"][0]
        self.assertEqual((result["status"], result["warnings"]), ("applied", ["double_use"]))
        self.assertEqual(UseEvent.objects.filter(double_use=True).count(), 1)

    def test_it_marks_the_later_use_even_when_it_syncs_first(self):
        self.send([self.use()], device="bus-2")
        result = self.send([self.use(when=timezone.now() - timedelta(minutes=5))], device="bus-1").json()
        self.assertEqual(result["results"][0]["warnings"], ["double_use_of_later"])
        later = UseEvent.objects.order_by("-occurred_at").first()
        self.assertTrue(later.double_use)

    def test_it_does_not_call_two_uses_of_a_30_day_pass_double(self):
        sub30, _ = actions.issue_credential(holder=self.holder, kind=Credential.Kind.SUB30)
        results = self.send([self.use(sub30), self.use(sub30)]).json()["results"]
        self.assertEqual([r["warnings"] for r in results], [[], []])

    def test_it_answers_each_bad_event_and_applies_the_rest(self):
        good = self.use()
        batch = [
            "not an object",
            {"id": "not-a-uuid", "type": "use"},
            self.use(place="plane"),
            self.use(kind="gold"),
            self.use(jti="nope"),
            dict(self.use(), occurred_at="2026-01-01T00:00:00"),
            dict(self.use(), occurred_at=(timezone.now() + timedelta(days=1)).isoformat()),
            dict(self.use(), type="delete"),
            dict(self.use(), payload=[1]),
            self.use(jti=str(uuid.uuid4())),
            self.use(kind="sub30"),
            good,
        ]
        results = self.send(batch).json()["results"]
        self.assertEqual([r["status"] for r in results], ["rejected"] * 11 + ["applied"])
        self.assertEqual([r["error"] for r in results[:11]], [
            "invalid_event", "invalid_event:id", "invalid_payload:place", "invalid_payload:kind",
            "invalid_payload:jti", "invalid_time", "invalid_time", "invalid_event:type", "invalid_payload",
            "unknown_credential", "kind_mismatch"])
        self.assertEqual(results[1]["id"], "not-a-uuid")

    def test_a_rejected_event_is_answered_duplicate_rejected_on_a_retry(self):
        event = self.use(place="plane")
        self.send([event])
        self.assertEqual(self.send([event]).json()["results"][0]["original_status"], "rejected")

    def test_it_refuses_a_body_it_cannot_read(self):
        self.assertEqual(self.client.post("/fares/checker/uses", data="{", content_type="application/json")
                         .status_code, 400)
        for body in ({}, {"device_id": "", "events": [self.use()]}, {"device_id": "x", "events": []},
                     {"device_id": "x", "events": [self.use()] * 201}, {"device_id": "é", "events": [self.use()]}):
            self.assertEqual(self.client.post("/fares/checker/uses", data=json.dumps(body),
                                              content_type="application/json").status_code, 422)
        self.assertFalse(UseEvent.objects.exists())

    def test_it_warns_of_a_use_after_revocation(self):
        Credential.objects.filter(pk=self.single.pk).update(revoked_at=timezone.now() - timedelta(hours=1))
        self.assertEqual(self.send([self.use()]).json()["results"][0]["warnings"], ["revoked"])

    def test_the_revocation_list_names_revoked_credentials_still_valid(self):
        Credential.objects.filter(pk=self.single.pk).update(revoked_at=timezone.now())
        self.assertEqual(self.client.get("/fares/checker/revoked.json").json(), {"revoked": [str(self.single.jti)]})

    def test_outsiders_may_not_record_uses_or_read_the_list(self):
        for persona in (self.eve, self.bob, self.carol, self.dave):
            self.client.force_login(persona)
            self.assertEqual(self.send([self.use()]).status_code, 403)
            self.assertEqual(self.client.get("/fares/checker/revoked.json").status_code, 403)
            self.assertEqual(self.client.get("/fares/checker/").status_code, 403)
        self.client.logout()
        self.assertEqual(self.send([self.use()]).status_code, 401)
        self.assertEqual(self.client.get("/fares/checker/revoked.json").status_code, 401)
        self.assertFalse(UseEvent.objects.exists())

    def test_the_checker_page_and_its_service_worker_are_served(self):
        page = self.client.get("/fares/checker/")
        self.assertContains(page, "fares/verify")
        worker = self.client.get("/fares/checker/sw.js")
        self.assertIn("fares/verify", worker.content.decode())
        self.assertEqual(worker["Service-Worker-Allowed"], "/fares/checker/")
