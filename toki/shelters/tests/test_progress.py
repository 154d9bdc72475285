"""The import progress bar: plain text on stderr, only on a terminal and without --no-progress."""

from io import StringIO

from django.core.management import call_command

from toki.shelters.tests.files import GSI_EMERGENCY
from toki.test import BaseTestCase


class FakeTerminal(StringIO):
    def isatty(self):
        return True


class ProgressBarTests(BaseTestCase):
    def test_it_draws_a_bar_on_a_terminal(self):
        err = FakeTerminal()
        call_command("import_shelters", str(GSI_EMERGENCY), stdout=StringIO(), stderr=err)
        self.assertIn("shitei_kinkyu_hinanbasho_152242.geojson [##############################] 86/86\n",
                      err.getvalue())
        self.assertIn("[###############---------------] 43/86", err.getvalue())

    def test_it_stays_silent_with_no_progress(self):
        err = FakeTerminal()
        call_command("import_shelters", str(GSI_EMERGENCY), "--no-progress", stdout=StringIO(), stderr=err)
        self.assertEqual(err.getvalue(), "")

    def test_it_stays_silent_when_stderr_is_not_a_terminal(self):
        err = StringIO()
        call_command("import_shelters", str(GSI_EMERGENCY), stdout=StringIO(), stderr=err)
        self.assertEqual(err.getvalue(), "")
