"""manage.py kpi_refresh: ask the metric providers for every KPI Toki measures itself and record what changed
(run hourly by the scheduler; docs/kpi.md)."""

from django.core.management.base import BaseCommand

from toki.kpi.actions import refresh_computed_results
from toki.kpi.models import Plan


class Command(BaseCommand):
    help = "Recompute the plan KPIs that Toki measures"

    def handle(self, *args, **options):
        for plan in Plan.objects.select_related("municipality"):
            report = refresh_computed_results(plan)
            measured = sum(1 for years in report.values() for v in years.values() if _is_number(v))
            self.stdout.write(f"{plan.code}: {measured} figure(s) measured")
            if options["verbosity"] > 1:
                for code, years in report.items():
                    for year, value in years.items():
                        self.stdout.write(f"  {code} {year}: {value}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
