"""Create a staff account with its org unit and role, through the accounts actions (and so audited).

The first HQ administrator of a new installation is made this way:
    manage.py create_staff tanaka --display-name "防災課 田中" --email tanaka@city.example.jp \
        --org "佐渡市災害対策本部" --kind hq --role admin
The password is read from standard input (one line) with --password-stdin, or asked for interactively.
"""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from toki.accounts import actions
from toki.accounts.models import Membership, OrgUnit, Role, User


class Command(BaseCommand):
    help = "Create a staff user and give them a role in an org unit (created if missing)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--email", default="", help="Where Toki tells the owner about failed logins.")
        parser.add_argument("--org", required=True, help="Org unit name (created if it does not exist).")
        parser.add_argument("--kind", choices=OrgUnit.Kind.values, help="Org unit kind, needed to create it.")
        parser.add_argument("--role", choices=Role.values, required=True)
        parser.add_argument("--district", help="District code to limit the role to (default: all districts).")
        parser.add_argument("--password-stdin", action="store_true", help="Read the password from stdin.")

    def handle(self, *args, username, display_name, email, org, kind, role, district, password_stdin, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"--email {email!r}: not an e-mail address") from None
        org_unit = OrgUnit.objects.filter(name=org).first()
        if org_unit is None and not kind:
            raise CommandError(f"org unit {org!r} does not exist; give --kind to create it")
        district_obj = None
        if district:
            district_model = Membership._meta.get_field("district").related_model  # areas' District, by the FK
            district_obj = district_model.objects.filter(code=district).first()
            if district_obj is None:
                raise CommandError(f"--district {district!r}: no such district code")
        password = self._read_password(password_stdin, username)
        with transaction.atomic():  # all or nothing: no user left without their role
            user = actions.ensure_user(acting_user=None, username=username, display_name=display_name,
                                       password=password, email=email)
            if org_unit is None:
                org_unit = actions.ensure_org_unit(acting_user=None, name=org, kind=kind)
            actions.grant_membership(acting_user=None, user=user, org_unit=org_unit, role=role,
                                     district=district_obj)
        self.stdout.write(self.style.SUCCESS(f"created {username}: {role} of {org_unit.name}"))

    def _read_password(self, from_stdin: bool, username: str) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        try:
            validate_password(password, User(username=username))
        except ValidationError as exc:
            raise CommandError("password refused: " + " ".join(exc.messages)) from exc
        return password
