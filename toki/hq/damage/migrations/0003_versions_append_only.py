"""Damage-report versions are append-only in the database itself, as the audit trail (UPDATE, DELETE, TRUNCATE
and, on SQLite, REPLACE refused; issue 13, finding 12). A correction adds a version; nothing rewrites one."""

from django.db import migrations

from toki.accounts.migrations import _append_only


class Migration(migrations.Migration):
    dependencies = [("damage", "0002_denormalised_totals"), ("accounts", "0005_refuse_replace")]
    operations = [_append_only.guard_operation("damage_damagereportversion")]
