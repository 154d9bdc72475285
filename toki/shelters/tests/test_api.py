"""/api/v1/shelters: public status, staff endpoints of the sync contract (auth, CSRF, scope, query counts)."""

import hashlib
import json
import uuid

from django.test import Client
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.shelters.actions.households import pre_register
from toki.shelters.tests.world import ShelterWorldMixin, household_payload, register_and_check_in
from toki.test import BaseTestCase

API = "/api/v1/shelters"


class ApiTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def post_events(self, events, client=None, opening=None):
        return (client or self.client).post(
            f"{API}/openings/{(opening or self.opening).pk}/events", content_type="application/json",
            data=json.dumps({"device_id": "tab-1", "events": events}))

    def sync_event(self, type_, payload, event_id=None):
        return {"id": str(event_id or uuid.uuid4()), "type": type_, "occurred_at": timezone.now().isoformat(),
                "payload": payload}

    def test_it_shows_open_shelters_publicly_without_personal_data(self):
        register_and_check_in(self.carol, self.opening)
        with self.assertNumQueries(2):
            body = self.client.get(f"{API}/status").json()
        self.assertEqual(body["open"], 1)
        opening = body["openings"][0]
        self.assertEqual((opening["name"], opening["status"], opening["crowding"]),
                         ("両津小学校体育館", "open", "vacant"))
        self.assertNotIn("people_in", opening)
        self.assertNotIn("サド", json.dumps(body, ensure_ascii=False))

    def test_it_orders_public_openings_by_distance(self):
        from toki.shelters.actions.openings import open_shelter

        open_shelter(acting_user=self.alice, shelter=self.other_shelter, incident=self.incident)
        body = self.client.get(f"{API}/openings", {"lat": 38.03, "lon": 138.24}).json()
        self.assertEqual([o["name"] for o in body], ["相川中学校体育館", "両津小学校体育館"])

    def test_it_hides_drill_openings_from_the_public(self):
        self.incident.is_drill = True
        self.incident.save()
        self.assertEqual(self.client.get(f"{API}/status").json()["openings"], [])

    def test_it_applies_events_for_the_shelter_team(self):
        self.login(self.carol)
        payload = household_payload()
        response = self.post_events([self.sync_event("register_household", payload),
                                     self.sync_event("check_in", {"household_id": payload["household_id"]})])
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual([r["status"] for r in body["results"]], ["applied", "applied"])
        self.assertEqual(body["people_in"], 1)

    def test_a_lone_check_in_takes_a_pinned_number_of_queries(self):
        # The busiest request on the worst day (docs/benchmarks.md, issue 7): keep it lean.
        household_id = register_and_check_in(self.carol, self.opening)["household_id"]
        self.login(self.carol)
        self.post_events([self.sync_event("check_out", {"household_id": household_id})])
        # session, user, memberships, teams, opening; the transaction (a savepoint inside the test's own, where
        # production has BEGIN … COMMIT); the event's savepoint; household lock + touch; members; registrations;
        # registration saved; event stored; its savepoint released; audit; opening's counts added and read back;
        # the arrival announced for the registry's 安否 matching (shelters.people_checked_in: one outbox INSERT).
        with self.assertNumQueries(17):
            response = self.post_events([self.sync_event("check_in", {"household_id": household_id})])
        self.assertEqual(response.json()["results"][0]["status"], "applied")
        self.assertEqual(response.json()["people_in"], 1)

    def test_it_answers_a_retried_request_with_duplicates(self):
        self.login(self.carol)
        events = [self.sync_event("register_household", household_payload())]
        self.post_events(events)
        body = self.post_events(events).json()
        self.assertEqual(body["results"][0]["status"], "duplicate")

    def test_it_requires_a_session(self):
        response = self.post_events([self.sync_event("check_in", {"household_id": str(uuid.uuid4())})])
        self.assertEqual(response.status_code, 401)

    def test_it_requires_the_csrf_header(self):
        client = Client(enforce_csrf_checks=True)
        client.get("/accounts/login/")  # a page that sets the csrftoken cookie
        client.force_login(self.carol)
        events = [self.sync_event("register_household", household_payload())]
        self.assertEqual(self.post_events(events, client=client).status_code, 403)
        token = client.cookies["csrftoken"].value
        response = client.post(f"{API}/openings/{self.opening.pk}/events", content_type="application/json",
                               data=json.dumps({"device_id": "tab-1", "events": events}),
                               headers={"X-CSRFToken": token})
        self.assertEqual(response.status_code, 200, response.content)

    def test_it_refuses_an_outsider_with_a_404(self):
        for user in (self.eve, self.bob, self.dave):
            self.login(user)
            events = [self.sync_event("register_household", household_payload())]
            self.assertEqual(self.post_events(events).status_code, 404, user)
            self.assertEqual(self.client.get(f"{API}/openings/{self.opening.pk}/roster").status_code, 404)
            self.assertEqual(self.client.get(f"{API}/openings/{self.opening.pk}/counts").status_code, 404)
            self.assertEqual(self.client.get(f"{API}/staff/openings").status_code, 403)
            self.assertEqual(self.client.get(f"{API}/staff/board").status_code, 403)

    def test_it_refuses_more_than_200_events(self):
        self.login(self.carol)
        events = [self.sync_event("check_in", {"household_id": str(uuid.uuid4())}) for _ in range(201)]
        self.assertEqual(self.post_events(events).status_code, 422)

    def test_it_lists_the_openings_of_the_team(self):
        self.login(self.carol)
        with self.assertNumQueries(5):  # session, user, memberships, teams, openings
            body = self.client.get(f"{API}/staff/openings").json()
        self.assertEqual([o["id"] for o in body], [self.opening.pk])

    def test_it_serves_the_roster_with_a_pinned_query_count_and_audits_it(self):
        for kana in ("サド ハナコ", "アイカワ タロウ", "マノ ジロウ"):
            register_and_check_in(self.carol, self.opening, kana=kana, extra=1)
        self.login(self.carol)
        with self.assertNumQueries(9):
            body = self.client.get(f"{API}/openings/{self.opening.pk}/roster").json()
        self.assertTrue(body["complete"])
        self.assertEqual(len(body["households"]), 3)
        member = body["households"][0]["members"][0]
        self.assertEqual(member["state"], "checked_in")
        self.assertNotIn("address", member)
        self.assertTrue(AuditEvent.objects.filter(action="shelters.read.roster", actor=self.carol).exists())

    def test_it_gives_the_hash_of_a_pre_registered_households_qr_token_never_the_token(self):
        household = pre_register(municipality=self.municipality, household={},
                                 members=[{"name_kana": "サド ハナコ"}], planned_shelter=self.shelter)
        self.login(self.carol)
        body = self.client.get(f"{API}/openings/{self.opening.pk}/roster").json()
        listed = next(h for h in body["households"] if h["id"] == str(household.pk))
        self.assertEqual(listed["qr_sha256"], hashlib.sha256(household.qr_token.encode()).hexdigest())
        self.assertNotIn(household.qr_token, json.dumps(body))

    def test_it_returns_only_changed_households_since_a_cursor(self):
        register_and_check_in(self.carol, self.opening)
        self.login(self.carol)
        cursor = self.client.get(f"{API}/openings/{self.opening.pk}/roster").json()["cursor"]
        from toki.shelters.models import Household

        Household.objects.update(updated_at=timezone.now() - timezone.timedelta(minutes=5))
        payload = register_and_check_in(self.carol, self.opening, kana="アカドマリ サブロウ")
        body = self.client.get(f"{API}/openings/{self.opening.pk}/roster", {"since": cursor}).json()
        self.assertFalse(body["complete"])
        self.assertEqual([h["id"] for h in body["households"]], [payload["household_id"]])

    def test_it_counts_by_day_and_night_and_care_needs(self):
        register_and_check_in(self.carol, self.opening, extra=1)
        self.login(self.carol)
        body = self.client.get(f"{API}/openings/{self.opening.pk}/counts").json()
        self.assertEqual(body["people_in"], 2)
        self.assertEqual({c["code"]: c["count"] for c in body["care"]}["elderly"], 1)
        self.assertGreaterEqual(len(body["by_day"]), 1)

    def test_it_shows_hq_the_board(self):
        self.login(self.alice)
        body = self.client.get(f"{API}/staff/board").json()
        self.assertEqual([o["shelter"]["name"] for o in body], ["両津小学校体育館"])
