"""Make the audit table append-only in the database itself, so no code path (ORM, raw SQL, admin, a shell)
can rewrite history. SQLite and PostgreSQL get equivalent triggers (see `_append_only`)."""

from django.db import migrations

from toki.accounts.migrations import _append_only


def forward(apps, schema_editor):
    _append_only.create(schema_editor)


def reverse(apps, schema_editor):
    _append_only.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
