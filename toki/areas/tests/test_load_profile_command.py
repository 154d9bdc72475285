"""`manage.py load_profile PATH [--no-default]`."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase

from toki.areas.models import Municipality
from toki.areas.tests.profile_files import EXAMPLE_TOWN, SADO, ProfileFiles


class LoadProfileCommandTests(ProfileFiles, TestCase):
    def test_it_loads_a_profile_and_says_so(self):
        out = StringIO()
        call_command("load_profile", str(SADO), stdout=out)
        self.assertIn("loaded 佐渡市 (152242) (default): 10 districts (10 with approximate boundaries)", out.getvalue())

    def test_it_leaves_the_default_alone_with_no_default(self):
        call_command("load_profile", str(SADO), stdout=StringIO())
        call_command("load_profile", str(EXAMPLE_TOWN), "--no-default", stdout=StringIO())
        self.assertEqual(Municipality.objects.get(is_default=True).code, "152242")

    def test_it_reports_a_bad_profile_as_a_command_error(self):
        path = self.sado_with(lambda d: d["districts"][3].update(centre=["a", "b"]))
        with self.assertRaisesMessage(CommandError, "districts[3].centre: expected [lat, lon] numbers"):
            call_command("load_profile", str(path), stdout=StringIO())
        self.assertFalse(Municipality.objects.exists())
