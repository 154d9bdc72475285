"""manage.py load_plan <file.yaml>: load or update a municipality's plan and its KPIs (docs/kpi.md). A file with any
fault is reported in full (where and why) and nothing is written."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from toki.kpi.actions import load_plan
from toki.kpi.plan_file import PlanFileError, read_plan


class Command(BaseCommand):
    help = "Load the plan's goals, measures and KPIs with their targets from a YAML file"

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            data = read_plan(path)
            plan = load_plan(data, acting_user=None)
        except PlanFileError as error:
            raise CommandError("\n".join([f"{path}: the plan was not loaded:", *error.problems])) from None
        except ValidationError as error:
            raise CommandError(f"{path}: the plan was not loaded: {'; '.join(error.messages)}") from None
        kpis = sum(len(m.kpis) for g in data.goals for m in g.measures)
        self.stdout.write(f"{plan.title}: {len(data.goals)} goal(s), {kpis} KPI(s) loaded")
