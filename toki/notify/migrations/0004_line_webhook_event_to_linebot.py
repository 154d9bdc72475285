# LineWebhookEvent belongs to the LINE conversation (toki.linebot): it leaves notify's state; its table stays and
# toki.linebot's first migration takes it over under the same name. Nothing changes in the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0003_chunked_planning"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LineWebhookEvent")],
            database_operations=[],
        ),
    ]
