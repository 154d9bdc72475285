from django.urls import reverse

from toki.accounts import audit
from toki.test import BaseTestCase


class AuditLogViewTests(BaseTestCase):
    url = reverse("accounts:audit_log")

    def setUp(self):
        for i in range(3):
            audit.record(actor=self.alice, action="shelters.open", obj=self.bob, changes={"i": i})
        audit.record(actor=self.bob, action="hq.file_report", obj=self.bob)

    def test_it_lists_events_for_the_hq_admin(self):
        self.login(self.alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "hq.file_report")
        self.assertContains(response, "shelters.open")

    def test_it_filters_by_action_prefix_and_user(self):
        self.login(self.alice)
        response = self.client.get(self.url, {"action": "hq.", "actor": "bob"})
        self.assertContains(response, "hq.file_report")
        self.assertNotContains(response, "shelters.open")

    def test_it_pins_its_query_count(self):
        self.login(self.alice)
        self.client.get(self.url)  # warm the session
        # session, user, memberships (permission, once), count, page of events with actors joined,
        # the site's municipality (page header), the disaster-mode banner
        with self.assertNumQueries(7):
            self.client.get(self.url, {"action": "shelters"})

    def test_it_refuses_branch_staff_with_404(self):
        self.login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_refuses_outsider_with_404(self):
        self.login(self.eve)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_sends_anonymous_visitors_to_login(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={self.url}", fetch_redirect_response=False)
