from io import StringIO

from django.core.management import call_command

from toki.lifelines.models import Kind, Lifeline, StatusReport
from toki.test import BaseTestCase


class SeedDemoTests(BaseTestCase):
    def seed(self):
        call_command("seed_lifelines_demo", stdout=StringIO())

    def test_it_creates_sados_lifelines_all_normal(self):
        self.seed()
        lifelines = Lifeline.objects.filter(municipality=self.municipality)
        self.assertEqual({ll.status for ll in lifelines}, {"normal"})
        self.assertEqual(set(lifelines.values_list("kind", flat=True)), set(Kind.values) - {"other"})
        self.assertTrue(lifelines.filter(name="佐渡汽船 両津–新潟 カーフェリー", org_unit__name="佐渡汽船").exists())
        self.assertEqual(lifelines.filter(kind="water").count(), len(self.districts))

    def test_it_marks_the_airport_as_having_no_scheduled_flights(self):
        self.seed()
        airport = Lifeline.objects.get(code="sado-airport")
        self.assertFalse(airport.scheduled_service)
        self.assertIn("定期便", airport.detail)

    def test_it_changes_nothing_when_run_again(self):
        self.seed()
        before = (Lifeline.objects.count(), StatusReport.objects.count())
        self.seed()
        self.assertEqual((Lifeline.objects.count(), StatusReport.objects.count()), before)
