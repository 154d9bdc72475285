"""Check-in events are the history of who came and went: append-only in the database itself, as the audit trail
(UPDATE, DELETE, TRUNCATE and, on SQLite, REPLACE refused; issue 13, finding 12)."""

from django.db import migrations

from toki.accounts.migrations import _append_only


class Migration(migrations.Migration):
    dependencies = [("shelters", "0003_security_scope"), ("accounts", "0005_refuse_replace")]
    operations = [_append_only.guard_operation("shelters_checkinevent",
                                               unique={"shelters_checkinevent": ("event_id",)})]
