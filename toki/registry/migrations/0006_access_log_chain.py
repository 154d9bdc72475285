"""The access log's hash chain (issue 16 part 2). Adding columns makes SQLite rebuild the table, which drops its
append-only triggers: they are put back (dropped first where they survived, as on PostgreSQL)."""

from django.db import migrations, models

from toki.accounts.migrations import _append_only

TABLE = "registry_accesslog"


def create_head(apps, schema_editor):
    """The chain's head exists from the start, so concurrent first writers lock it instead of racing to create it."""
    apps.get_model("registry", "AccessLogHead").objects.get_or_create(pk=1)


def reguard(apps, schema_editor):
    _append_only.drop_replace_guard(schema_editor, TABLE)
    _append_only.drop(schema_editor, TABLE)
    _append_only.create(schema_editor, TABLE)
    _append_only.create_replace_guard(schema_editor, TABLE, ("id",))


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0005_refresh_diff'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessLogHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_hash', models.CharField(blank=True, default='', max_length=64)),
                ('last_id', models.BigIntegerField(default=0)),
                ('entries', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='accesslog',
            name='entry_hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='accesslog',
            name='prev_hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.RunPython(reguard, migrations.RunPython.noop),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
