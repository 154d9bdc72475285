"""Damage-report versions are append-only in the database itself, as the audit trail (UPDATE, DELETE, TRUNCATE
and, on SQLite, REPLACE refused; issue 13, finding 12). A correction adds a version; nothing rewrites one."""

from django.db import migrations

from toki.accounts.migrations import _append_only

TABLE = "damage_damagereportversion"


def forward(apps, schema_editor):
    _append_only.create(schema_editor, TABLE)
    _append_only.create_replace_guard(schema_editor, TABLE)


def reverse(apps, schema_editor):
    _append_only.drop_replace_guard(schema_editor, TABLE)
    _append_only.drop(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("damage", "0002_denormalised_totals"), ("accounts", "0003_refuse_replace")]
    operations = [migrations.RunPython(forward, reverse)]
