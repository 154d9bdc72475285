import io
from unittest import mock

from django.core.management import CommandError, call_command

from toki.accounts.models import AuditEvent, Membership
from toki.test import BaseTestCase


class CreateStaffCommandTests(BaseTestCase):
    def run_command(self, *args, password="a-long-enough-passphrase-1"):
        with mock.patch("sys.stdin", io.StringIO(password + "\n")):
            call_command("create_staff", *args, "--password-stdin", stdout=io.StringIO())

    def test_it_creates_a_user_with_a_role_in_a_new_org_unit(self):
        self.run_command("tanaka", "--org", "相川支所", "--kind", "branch_office", "--role", "editor",
                         "--district", "aikawa")
        membership = Membership.objects.get(user__username="tanaka")
        self.assertEqual((membership.org_unit.name, membership.role, membership.district.code),
                         ("相川支所", "editor", "aikawa"))
        self.assertTrue(membership.user.check_password("a-long-enough-passphrase-1"))
        self.assertTrue(AuditEvent.objects.filter(action="accounts.create_user", object_id=membership.user_id).exists())

    def test_it_refuses_a_weak_password(self):
        with self.assertRaisesMessage(CommandError, "password refused"):
            self.run_command("tanaka", "--org", "佐渡市災害対策本部", "--role", "viewer", password="123")
        self.assertFalse(Membership.objects.filter(user__username="tanaka").exists())

    def test_it_refuses_an_unknown_org_without_kind(self):
        with self.assertRaisesMessage(CommandError, "give --kind"):
            self.run_command("tanaka", "--org", "どこか", "--role", "viewer")

    def test_it_refuses_an_unknown_district(self):
        with self.assertRaisesMessage(CommandError, "no such district"):
            self.run_command("tanaka", "--org", "佐渡市災害対策本部", "--role", "viewer", "--district", "tokyo")

    def test_it_keeps_the_email_address_for_login_notices(self):
        self.run_command("tanaka", "--org", "佐渡市災害対策本部", "--role", "viewer",
                         "--email", "tanaka@city.example.jp")
        self.assertEqual(Membership.objects.get(user__username="tanaka").user.email, "tanaka@city.example.jp")

    def test_it_refuses_a_malformed_email_address(self):
        with self.assertRaisesMessage(CommandError, "--email 'tanaka@': not an e-mail address"):
            self.run_command("tanaka", "--org", "佐渡市災害対策本部", "--role", "viewer", "--email", "tanaka@")
