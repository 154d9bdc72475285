"""The access log is append-only in the database itself (registry.md §5.5): UPDATE, DELETE, TRUNCATE and REPLACE
are refused whatever the code path."""

from django.db import migrations

from toki.accounts.migrations._append_only import guard_operation


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [guard_operation("registry_accesslog")]
