from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from toki.alerts.actions.state import apply_telegram
from toki.alerts.actions.telegrams import prune_telegrams
from toki.alerts.models import Telegram
from toki.alerts.tests.telegram_fixtures import sado_warning, sample_text, store
from toki.test import BaseTestCase


class PruneTelegramsTests(BaseTestCase):
    def test_it_deletes_only_old_telegrams_that_do_not_concern_the_municipality(self):
        other = store(sample_text("15_17_01_250123_VPWW54.xml"), "shimane_VPWW54.xml")
        Telegram.objects.filter(pk=other.pk).update(concerns=False)
        sado = store(sado_warning(), "t1_VPWW54.xml")
        apply_telegram(sado.pk)
        later = timezone.now() + timedelta(days=15)
        self.assertEqual(prune_telegrams(now=later), 1)
        self.assertEqual(list(Telegram.objects.values_list("pk", flat=True)), [sado.pk])

    def test_it_keeps_recent_telegrams(self):
        other = store(sample_text("15_17_01_250123_VPWW54.xml"), "shimane_VPWW54.xml")
        Telegram.objects.filter(pk=other.pk).update(concerns=False)
        self.assertEqual(prune_telegrams(), 0)

    def test_it_runs_as_a_command(self):
        call_command("prune_telegrams", verbosity=0)
