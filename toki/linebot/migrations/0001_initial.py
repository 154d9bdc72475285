# LineWebhookEvent moves here from toki.notify in state only: the table notify_linewebhookevent exists (notify's
# 0001) and keeps its name, rows and index.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("notify", "0004_line_webhook_event_to_linebot"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LineWebhookEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("event_id", models.CharField(max_length=64, unique=True)),
                        ("event_type", models.CharField(max_length=40)),
                        ("received_at", models.DateTimeField(auto_now_add=True)),
                        ("is_redelivery", models.BooleanField(default=False)),
                        ("body", models.JSONField(blank=True, default=dict)),
                        ("processed_at", models.DateTimeField(blank=True, null=True)),
                        ("error", models.TextField(blank=True)),
                    ],
                    options={
                        "db_table": "notify_linewebhookevent",
                        "indexes": [models.Index(fields=["processed_at"], name="notify_webhook_unprocessed")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
