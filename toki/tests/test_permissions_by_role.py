"""The role half of each app's permissions.py, through the URLconf: what the access matrix (personas by kind of
org unit, district and shelter) cannot tell apart. An HQ viewer reads but changes nothing, an HQ editor changes
but does not administer, a department editor writes notices and nothing else."""

from django.urls import reverse

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.test import BaseTestCase, member_with_role

READ_BY_HQ_VIEWERS = ("notify:deliveries", "portal_staff:kpi", "alerts:staff_alerts")
CHANGED_BY_HQ_EDITORS = ("portal_staff:mode", "posts:moderate", "notices:manage_list", "lifelines:manage")
ADMINISTERED_BY_HQ_ADMINS = ("accounts:audit_log", "accounts:held_logins")


class PermissionsByRoleTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        hq = OrgUnit.objects.get(kind=OrgUnit.Kind.HQ)
        department = account_actions.ensure_org_unit(acting_user=None, name="総務課", kind=OrgUnit.Kind.DEPARTMENT)
        cls.hq_viewer = member_with_role("hq_viewer", hq, Role.VIEWER)
        cls.hq_editor = member_with_role("hq_editor", hq, Role.EDITOR)
        cls.department_editor = member_with_role("department_editor", department, Role.EDITOR)

    def statuses(self, user, names) -> dict[str, int]:
        self.login(user)
        return {name: self.client.get(reverse(name)).status_code for name in names}

    def cap_import(self, user):
        self.login(user)
        return self.client.post(reverse("cap:import"), "not cap", content_type="text/plain")

    def test_it_lets_hq_viewers_read_the_staff_pages(self):
        self.assertEqual(set(self.statuses(self.hq_viewer, READ_BY_HQ_VIEWERS).values()), {200})

    def test_it_refuses_hq_viewers_every_page_that_changes_something(self):
        names = CHANGED_BY_HQ_EDITORS + ADMINISTERED_BY_HQ_ADMINS
        self.assertEqual(set(self.statuses(self.hq_viewer, names).values()), {404})
        self.assertEqual(self.cap_import(self.hq_viewer).status_code, 404)

    def test_it_lets_hq_editors_change_but_not_administer(self):
        self.assertEqual(set(self.statuses(self.hq_editor, CHANGED_BY_HQ_EDITORS).values()), {200})
        self.assertEqual(set(self.statuses(self.hq_editor, ADMINISTERED_BY_HQ_ADMINS).values()), {404})
        self.assertEqual(self.cap_import(self.hq_editor).status_code, 415)  # let in: the body's type is refused

    def test_it_lets_department_editors_write_notices_and_nothing_else(self):
        self.assertEqual(self.statuses(self.department_editor, ("notices:manage_list",)), {"notices:manage_list": 200})
        others = (*READ_BY_HQ_VIEWERS, "portal_staff:mode", "posts:moderate", "lifelines:manage")
        self.assertEqual(set(self.statuses(self.department_editor, others).values()), {404})
