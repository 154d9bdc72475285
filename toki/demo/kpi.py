"""The plan's KPIs in the demo (docs/kpi.md): the departments that own them, one KPI owner persona, and the Sado
plan file loaded through the same action as `manage.py load_plan`."""

import random
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.kpi.achievement import fiscal_year_of
from toki.kpi.actions import load_plan
from toki.kpi.plan_file import read_plan
from toki.portal.models import PATH_GROUPS, DailyVisitorCount, PageViewCount, SurveyAnswer

PLAN_FILE = Path(__file__).resolve().parents[2] / "profiles" / "plans" / "sado-digital-plan.yaml"
# The departments the plan names as KPI owners; the persona below updates 地域づくり課's KPI by hand.
DEPARTMENTS = ("秘書広報課", "防災課", "総務課", "地域づくり課", "社会福祉課", "企画課")
OWNER = ("hana", "地域づくり課 ハナ", "地域づくり課")


def create_kpi_demo(password: str):
    for name in DEPARTMENTS:
        account_actions.ensure_org_unit(acting_user=None, name=name, kind=OrgUnit.Kind.DEPARTMENT)
    username, display_name, unit = OWNER
    owner = account_actions.ensure_user(acting_user=None, username=username, display_name=display_name,
                                        password=password)
    account_actions.grant_membership(acting_user=None, user=owner,
                                     org_unit=OrgUnit.objects.get(name=unit), role=Role.EDITOR)
    return load_plan(read_plan(PLAN_FILE), acting_user=None), owner


# The portal went live in 令和6年度 (the plan: ポータルサイト構築). The demo's made-up traffic since then, so that the
# KPIs Toki measures from its own counters have figures to show: page views a day by year, a fifth of the
# visitors coming back, survey answers mostly 3–4. Days a real counter has already counted are left alone.
PORTAL_LIVE_FROM = date(2024, 10, 1)
VIEWS_A_DAY = {2024: 700, 2025: 3600, 2026: 4300}


def seed_portal_history(today: date | None = None) -> int:
    """Aggregate counts only (no visitor keys), the form the portal keeps of past days. Returns days written."""
    today = today or timezone.localdate()
    counted = set(PageViewCount.objects.values_list("day", flat=True).distinct())
    rng = random.Random(152242)  # noqa: S311 - made-up demo figures, the same every time
    views, visitors, answers = [], [], []
    day = PORTAL_LIVE_FROM
    while day < today:
        base = VIEWS_A_DAY.get(fiscal_year_of(day), 4300)
        total = int(base * rng.uniform(0.7, 1.3))
        if day not in counted:
            shares = (0.35, 0.2, 0.2, 0.08, 0.07, 0.04, 0.04, 0.02)
            views += [PageViewCount(day=day, path_group=group, views=int(total * share))
                      for group, share in zip(PATH_GROUPS, shares, strict=True)]
            unique = total // 3
            visitors.append(DailyVisitorCount(day=day, unique_visitors=unique,
                                              repeat_visitors=int(unique * rng.uniform(0.15, 0.4))))
            answers += [SurveyAnswer(day=day, rating=rng.choice((2, 3, 3, 4, 4, 4, 5)))
                        for _ in range(rng.randint(0, 2))]
        day += timedelta(days=1)
    PageViewCount.objects.bulk_create(views, batch_size=2000)
    DailyVisitorCount.objects.bulk_create(visitors, batch_size=2000, ignore_conflicts=True)
    SurveyAnswer.objects.bulk_create(answers, batch_size=2000)
    return len(visitors)
