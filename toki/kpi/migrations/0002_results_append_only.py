"""KPI results are append-only in the database itself (the latest per KPI and year counts; the earlier ones are
its history): UPDATE, DELETE, TRUNCATE and, on SQLite, REPLACE are refused, as for the audit log."""

from django.db import migrations

from toki.accounts.migrations import _append_only


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_initial"), ("accounts", "0005_refuse_replace")]
    operations = [_append_only.guard_operation("kpi_result")]
