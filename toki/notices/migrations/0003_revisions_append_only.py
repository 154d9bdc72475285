"""Notice revisions start with the text each language version has now, and are append-only in the database
itself, as the audit trail (UPDATE, DELETE, TRUNCATE and, on SQLite, REPLACE refused; issue 13, finding 12)."""

from django.db import migrations

from toki.accounts.migrations import _append_only

TABLE = "notices_noticerevision"


def forward(apps, schema_editor):
    NoticeVersion = apps.get_model("notices", "NoticeVersion")
    NoticeRevision = apps.get_model("notices", "NoticeRevision")
    NoticeRevision.objects.bulk_create(
        NoticeRevision(notice_id=v.notice_id, language=v.language, title=v.title, body=v.body)
        for v in NoticeVersion.objects.order_by("pk"))
    _append_only.create(schema_editor, TABLE)
    _append_only.create_replace_guard(schema_editor, TABLE)


def reverse(apps, schema_editor):
    _append_only.drop_replace_guard(schema_editor, TABLE)
    _append_only.drop(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_revisions"), ("accounts", "0003_refuse_replace")]
    operations = [migrations.RunPython(forward, reverse)]
