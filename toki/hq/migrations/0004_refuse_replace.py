"""SQLite: refuse `INSERT OR REPLACE` on the chronology (issue 13, finding 12; see accounts `_append_only`)."""

from django.db import migrations

from toki.accounts.migrations import _append_only


class Migration(migrations.Migration):
    dependencies = [("hq", "0003_chronology_append_only"), ("accounts", "0005_refuse_replace")]
    operations = [_append_only.guard_operation("hq_chronologyentry", "hq_chronologyannotation", replace_only=True)]
