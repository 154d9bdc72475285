"""The chronology and its annotations are append-only in the database itself, with the same triggers as the
audit trail (toki/accounts/migrations/_append_only.py)."""

from django.db import migrations

from toki.accounts.migrations import _append_only

TABLES = ("hq_chronologyentry", "hq_chronologyannotation")


def forward(apps, schema_editor):
    for table in TABLES:
        _append_only.create(schema_editor, table)


def reverse(apps, schema_editor):
    for table in TABLES:
        _append_only.drop(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("hq", "0002_chronology_instructions"), ("accounts", "0002_audit_append_only")]
    operations = [migrations.RunPython(forward, reverse)]
