"""SQLite: refuse `INSERT OR REPLACE` on the audit table (issue 13, finding 12; see `_append_only`)."""

from django.db import migrations

from toki.accounts.migrations import _append_only


def forward(apps, schema_editor):
    _append_only.create_replace_guard(schema_editor, _append_only.TABLE)


def reverse(apps, schema_editor):
    _append_only.drop_replace_guard(schema_editor, _append_only.TABLE)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_audit_append_only")]
    operations = [migrations.RunPython(forward, reverse)]
