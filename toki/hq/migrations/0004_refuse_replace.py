"""SQLite: refuse `INSERT OR REPLACE` on the chronology (issue 13, finding 12; see accounts `_append_only`)."""

from django.db import migrations

from toki.accounts.migrations import _append_only

TABLES = ("hq_chronologyentry", "hq_chronologyannotation")


def forward(apps, schema_editor):
    for table in TABLES:
        _append_only.create_replace_guard(schema_editor, table)


def reverse(apps, schema_editor):
    for table in TABLES:
        _append_only.drop_replace_guard(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("hq", "0003_chronology_append_only"), ("accounts", "0003_refuse_replace")]
    operations = [migrations.RunPython(forward, reverse)]
