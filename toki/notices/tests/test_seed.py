from io import StringIO

from django.core.management import call_command

from toki.accounts.models import AuditEvent
from toki.notices.models import Notice
from toki.test import BaseTestCase


class SeedNoticesDemoTests(BaseTestCase):
    def test_it_publishes_three_notices_in_japanese_and_english_once(self):
        call_command("seed_notices_demo", stdout=StringIO())
        call_command("seed_notices_demo", stdout=StringIO())
        notices = Notice.objects.filter(is_published=True)
        self.assertEqual(notices.count(), 3)
        for notice in notices:
            self.assertEqual(sorted(v.language for v in notice.versions.all()), ["en", "ja"])
        self.assertEqual(AuditEvent.objects.filter(action="notices.create").count(), 3)
        titles = set(Notice.objects.values_list("versions__title", flat=True))
        self.assertIn("冬季の停電への備え", titles)
        self.assertIn("佐渡市総合防災訓練のお知らせ", titles)
        self.assertEqual(notices.filter(category=Notice.Category.PORTAL).count(), 1)  # counted by the 周知回数 KPI
