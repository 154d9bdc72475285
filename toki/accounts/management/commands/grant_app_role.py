"""PostgreSQL: give the role the application runs as the rights it needs and no more (docs/operations.md).

The migration role owns the tables (it runs `manage.py migrate`); the app role only reads and writes rows. A
table's owner can switch its triggers off (`ALTER TABLE … DISABLE TRIGGER`) and so rewrite the append-only logs;
a role that owns nothing cannot (issue 13, finding 12). Run as the owner after every `migrate`:

    manage.py grant_app_role toki_app
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Command(BaseCommand):
    help = "PostgreSQL: grant the app role SELECT/INSERT/UPDATE/DELETE on every table, and nothing else."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the application connects as (not the tables' owner)")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL; SQLite has no roles")
        if not ROLE_NAME.match(role):
            raise CommandError(f"role: {role!r} is not a plain lower-case PostgreSQL role name")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user = %s OR EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = "
                           "current_schema() AND tableowner = %s)", [role, role])
            if cursor.fetchone()[0]:
                raise CommandError(f"role: {role} owns tables (or is the user running this command); the app "
                                   "role must own nothing, or it can disable the append-only triggers")
            for statement in (
                f"GRANT USAGE ON SCHEMA public TO {role}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
            ):
                cursor.execute(statement)
        if options["verbosity"]:
            self.stdout.write(f"granted {role} row access to every table; it owns none")
