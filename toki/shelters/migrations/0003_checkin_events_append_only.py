"""Check-in events are the history of who came and went: append-only in the database itself, as the audit trail
(UPDATE, DELETE, TRUNCATE and, on SQLite, REPLACE refused; issue 13, finding 12)."""

from django.db import migrations

from toki.accounts.migrations import _append_only

TABLE = "shelters_checkinevent"


def forward(apps, schema_editor):
    _append_only.create(schema_editor, TABLE)
    _append_only.create_replace_guard(schema_editor, TABLE, ("id", "event_id"))


def reverse(apps, schema_editor):
    _append_only.drop_replace_guard(schema_editor, TABLE)
    _append_only.drop(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("shelters", "0002_operations"), ("accounts", "0003_refuse_replace")]
    operations = [migrations.RunPython(forward, reverse)]
