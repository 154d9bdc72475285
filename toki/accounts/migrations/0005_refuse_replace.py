"""SQLite: refuse `INSERT OR REPLACE` on the audit table (issue 13, finding 12; see `_append_only`)."""

from django.db import migrations

from toki.accounts.migrations import _append_only


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_login_throttle_per_client")]
    operations = [_append_only.guard_operation(_append_only.TABLE, replace_only=True)]
