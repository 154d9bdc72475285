"""Notice revisions start with the text each language version has now, and are append-only in the database
itself, as the audit trail (UPDATE, DELETE, TRUNCATE and, on SQLite, REPLACE refused; issue 13, finding 12)."""

from django.db import migrations

from toki.accounts.migrations import _append_only


def first_revisions(apps, schema_editor):
    NoticeVersion = apps.get_model("notices", "NoticeVersion")
    NoticeRevision = apps.get_model("notices", "NoticeRevision")
    NoticeRevision.objects.bulk_create(
        NoticeRevision(notice_id=v.notice_id, language=v.language, title=v.title, body=v.body)
        for v in NoticeVersion.objects.order_by("pk"))


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_revisions"), ("accounts", "0005_refuse_replace")]
    operations = [migrations.RunPython(first_revisions, migrations.RunPython.noop),
                  _append_only.guard_operation("notices_noticerevision")]
