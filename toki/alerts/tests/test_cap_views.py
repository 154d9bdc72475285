"""The public CAP feed and documents (drills and tests never served), and the staff import endpoint."""

from datetime import timedelta
from unittest import mock

from django.test import Client, override_settings
from django.utils import timezone
from django.utils.http import http_date
from lxml import etree

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.alerts.models import Alert, QuarantinedInput
from toki.alerts.tests.test_cap_support import URLCONF, ferry_notice, make_alert, xsd_errors
from toki.test import PERSONA_PASSWORD, BaseTestCase

ATOM = {"atom": "http://www.w3.org/2005/Atom"}


@override_settings(ROOT_URLCONF=URLCONF)
class FeedTest(BaseTestCase):
    def setUp(self):
        self.now = timezone.now().replace(microsecond=0)

    def alert(self, n: int, **changes) -> Alert:
        changes.setdefault("sent_at", self.now - timedelta(minutes=n))
        return make_alert(self.municipality, n, **changes)

    def entries(self, response) -> list:
        return etree.fromstring(response.content).findall("atom:entry", ATOM)

    def test_it_lists_the_current_public_alerts(self):
        alert = self.alert(1)
        response = self.client.get("/cap/feed.atom")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        (entry,) = self.entries(response)
        url = f"http://127.0.0.1:8000/cap/alerts/{alert.pk}.xml"
        self.assertEqual(entry.findtext("atom:id", namespaces=ATOM), url)
        self.assertEqual(entry.findtext("atom:title", namespaces=ATOM), alert.title)
        self.assertEqual(entry.findtext("atom:author/atom:name", namespaces=ATOM), "気象庁")
        self.assertTrue(entry.findtext("atom:updated", namespaces=ATOM).endswith("+09:00"))
        link = entry.find("atom:link", ATOM)
        self.assertEqual((link.get("rel"), link.get("type"), link.get("href")),
                         ("alternate", "application/cap+xml", url))

    def test_it_describes_the_feed_itself(self):
        feed = etree.fromstring(self.client.get("/cap/feed.atom").content)
        self.assertEqual(feed.findtext("atom:id", namespaces=ATOM), "http://127.0.0.1:8000/cap/feed.atom")
        self.assertEqual(feed.findtext("atom:author/atom:name", namespaces=ATOM), "佐渡市")
        self.assertIn("佐渡市", feed.findtext("atom:title", namespaces=ATOM))
        self.assertIsNotNone(feed.findtext("atom:updated", namespaces=ATOM))

    def test_it_leaves_drills_and_tests_out_of_the_feed(self):
        public = self.alert(1)
        self.alert(2, status=Alert.Status.EXERCISE)
        self.alert(3, status=Alert.Status.TEST)
        hrefs = [e.find("atom:link", ATOM).get("href") for e in self.entries(self.client.get("/cap/feed.atom"))]
        self.assertEqual(hrefs, [f"http://127.0.0.1:8000/cap/alerts/{public.pk}.xml"])

    def test_it_leaves_expired_alerts_out_of_the_feed(self):
        self.alert(1, expires_at=self.now - timedelta(minutes=1))
        self.alert(2, sent_at=self.now - timedelta(hours=25))  # no expiry: a day
        kept = self.alert(3, sent_at=self.now - timedelta(hours=30), expires_at=self.now + timedelta(hours=1))
        entries = self.entries(self.client.get("/cap/feed.atom"))
        ids = [e.findtext("atom:id", namespaces=ATOM).rsplit("/", 1)[-1] for e in entries]
        self.assertEqual(ids, [f"{kept.pk}.xml"])

    def test_it_lists_the_newest_first(self):
        older, newer = self.alert(5), self.alert(1)
        ids = [e.findtext("atom:id", namespaces=ATOM) for e in self.entries(self.client.get("/cap/feed.atom"))]
        self.assertEqual(ids, [f"http://127.0.0.1:8000/cap/alerts/{a.pk}.xml" for a in (newer, older)])

    def test_it_serves_the_feed_with_a_short_max_age_and_last_modified(self):
        alert = self.alert(1)
        response = self.client.get("/cap/feed.atom")
        self.assertEqual(response["Cache-Control"], "public, max-age=60")
        self.assertEqual(response["Last-Modified"], http_date(alert.created_at.timestamp()))
        self.assertNotIn("Set-Cookie", response.headers)

    def test_it_answers_not_modified(self):
        alert = self.alert(1)
        response = self.client.get("/cap/feed.atom",
                                   headers={"If-Modified-Since": http_date(alert.created_at.timestamp() + 5)})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response["Cache-Control"], "public, max-age=60")

    def test_it_changes_last_modified_when_an_alert_expires_out_of_the_feed(self):
        alert = self.alert(1, expires_at=self.now - timedelta(seconds=30))
        self.assertGreater(alert.created_at, alert.expires_at)  # stored after; the later time wins
        with mock.patch("toki.alerts.views_cap.timezone.now", return_value=self.now + timedelta(days=2)):
            response = self.client.get("/cap/feed.atom")
        self.assertEqual(response["Last-Modified"], http_date(alert.created_at.timestamp()))
        later = self.alert(2, sent_at=self.now, expires_at=self.now + timedelta(days=1))
        Alert.objects.filter(pk=later.pk).update(created_at=self.now - timedelta(days=1))
        with mock.patch("toki.alerts.views_cap.timezone.now", return_value=self.now + timedelta(days=2)):
            response = self.client.get("/cap/feed.atom")
        self.assertEqual(response["Last-Modified"], http_date((self.now + timedelta(days=1)).timestamp()))

    def test_it_serves_an_empty_feed(self):
        response = self.client.get("/cap/feed.atom")
        self.assertEqual((response.status_code, self.entries(response)), (200, []))

    def test_it_pins_the_feed_query_count(self):
        self.alert(1)
        with self.assertNumQueries(3):  # default municipality, last modified, the alerts
            self.client.get("/cap/feed.atom")
        for n in range(2, 12):
            self.alert(n, source=Alert.Source.CITY if n % 2 else Alert.Source.JMA)
        with self.assertNumQueries(3):
            response = self.client.get("/cap/feed.atom")
        self.assertEqual(len(self.entries(response)), 11)

    def test_it_refuses_post(self):
        self.assertEqual(self.client.post("/cap/feed.atom").status_code, 405)


@override_settings(ROOT_URLCONF=URLCONF)
class AlertDocumentTest(BaseTestCase):
    def test_it_serves_an_alert_as_valid_cap(self):
        alert = make_alert(self.municipality)
        response = self.client.get(f"/cap/alerts/{alert.pk}.xml")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/cap+xml; charset=utf-8")
        self.assertEqual(xsd_errors(response.content), [])
        self.assertEqual(response["Cache-Control"], "public, max-age=60")
        self.assertEqual(response["Last-Modified"], http_date(alert.created_at.timestamp()))

    def test_it_does_not_serve_a_drill(self):
        alert = make_alert(self.municipality, status=Alert.Status.EXERCISE)
        self.assertEqual(self.client.get(f"/cap/alerts/{alert.pk}.xml").status_code, 404)

    def test_it_does_not_serve_a_test(self):
        alert = make_alert(self.municipality, status=Alert.Status.TEST)
        self.assertEqual(self.client.get(f"/cap/alerts/{alert.pk}.xml").status_code, 404)

    def test_it_does_not_serve_a_drill_to_staff_either(self):
        alert = make_alert(self.municipality, status=Alert.Status.EXERCISE)
        self.login(self.alice)
        self.assertEqual(self.client.get(f"/cap/alerts/{alert.pk}.xml").status_code, 404)

    def test_it_answers_404_for_an_unknown_alert(self):
        self.assertEqual(self.client.get("/cap/alerts/999999.xml").status_code, 404)

    def test_it_answers_not_modified(self):
        alert = make_alert(self.municipality)
        response = self.client.get(f"/cap/alerts/{alert.pk}.xml",
                                   headers={"If-Modified-Since": http_date(alert.created_at.timestamp())})
        self.assertEqual(response.status_code, 304)


@override_settings(ROOT_URLCONF=URLCONF)
class ImportEndpointTest(BaseTestCase):
    URL = "/cap/import"

    def post(self, body: bytes = b"", content_type: str = "application/cap+xml", client=None):
        return (client or self.client).post(self.URL, data=body or ferry_notice(), content_type=content_type)

    def test_it_imports_a_message_for_an_hq_admin(self):
        self.login(self.alice)
        response = self.post()
        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual(body["outcome"], "imported")
        alert = Alert.objects.get()
        self.assertEqual(body["alert"]["id"], alert.pk)
        self.assertEqual(body["alert"]["cap_url"], f"http://127.0.0.1:8000/cap/alerts/{alert.pk}.xml")
        self.assertEqual(body["matches"], [{"rule": "polygon", "detail": "両津 (ryotsu)", "district": "ryotsu"}])

    def test_it_imports_a_message_for_an_hq_editor(self):
        editor = account_actions.ensure_user(acting_user=None, username="hq-editor", display_name="HQ 編集者",
                                             password=PERSONA_PASSWORD)
        hq = OrgUnit.objects.get(kind=OrgUnit.Kind.HQ)
        account_actions.grant_membership(acting_user=None, user=editor, org_unit=hq, role=Role.EDITOR, district=None)
        self.login(editor)
        self.assertEqual(self.post(content_type="application/xml").status_code, 201)

    def test_it_answers_a_duplicate_with_the_existing_alert(self):
        self.login(self.alice)
        first = self.post().json()
        second = self.post()
        self.assertEqual((second.status_code, second.json()["outcome"]), (200, "duplicate"))
        self.assertEqual(second.json()["alert"]["id"], first["alert"]["id"])

    def test_it_rejects_an_invalid_message_with_the_reason(self):
        self.login(self.alice)
        response = self.post(b"<alert>")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["outcome"], "rejected")
        self.assertIn("not well-formed XML", response.json()["reason"])
        self.assertEqual(QuarantinedInput.objects.get().url, "POST /cap/import")

    def test_it_answers_a_message_that_does_not_concern_the_municipality(self):
        self.login(self.alice)
        data = ferry_notice().replace(b"38.075,138.432", b"35.075,139.432").replace(b"38.0", b"35.0")
        response = self.post(data)
        self.assertEqual((response.status_code, response.json()["outcome"]), (200, "not_concerning"))

    def test_it_refuses_another_content_type(self):
        self.login(self.alice)
        self.assertEqual(self.post(content_type="text/plain").status_code, 415)
        self.assertFalse(QuarantinedInput.objects.exists())

    def test_it_refuses_a_body_that_is_too_large(self):
        self.login(self.alice)
        with mock.patch("toki.alerts.views_cap.MAX_CAP_BYTES", 100):
            self.assertEqual(self.post().status_code, 413)

    def test_it_refuses_get(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(self.URL).status_code, 405)

    def test_it_asks_anonymous_callers_to_log_in(self):
        response = self.post()
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], 'Session realm="toki", login="/accounts/login/"')
        self.assertFalse(Alert.objects.exists())

    def test_it_refuses_an_outsider(self):
        self.login(self.eve)
        self.assertEqual(self.post().status_code, 404)
        self.assertFalse(Alert.objects.exists())

    def test_it_refuses_branch_office_and_shelter_staff(self):
        for user in (self.bob, self.carol, self.dave):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.post().status_code, 404)
        self.assertFalse(Alert.objects.exists())

    def test_it_requires_a_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.get("/accounts/login/")  # the login form sets the CSRF cookie
        token = client.cookies["csrftoken"].value
        client.force_login(self.alice)
        self.assertEqual(self.post(client=client).status_code, 403)
        response = client.post(self.URL, data=ferry_notice(), content_type="application/cap+xml",
                               headers={"X-CSRFToken": token})
        self.assertEqual(response.status_code, 201)
