"""Who may do what with the plan's KPIs: the one place that answers it (DESIGN.md rule: permissions in one module).

- Everyone (anonymous too) reads the plan, its targets, results, 達成率 and the PDCA notes that passed internal
  review: the plan is public, as the city publishes it.
- A KPI's owner (editor or admin in the owning department) records its results and writes its PDCA notes.
- The plan's administrators (admin in HQ or the 企画 department, `TOKI_KPI_ADMIN_UNITS`) do all of that for every
  KPI, load plan files, set the review stage and see draft notes."""

from django.conf import settings

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role, memberships_of


def may_administer_plan(user) -> bool:
    if has_role(user, Role.ADMIN, kinds=(OrgUnit.Kind.HQ,)):
        return True
    names = set(getattr(settings, "TOKI_KPI_ADMIN_UNITS", ()))
    return user.is_authenticated and any(
        m.org_unit.name in names and m.role == Role.ADMIN for m in memberships_of(user))


def may_update_kpi(user, kpi) -> bool:
    if may_administer_plan(user):
        return True
    if not user.is_authenticated or kpi.owner_id is None:
        return False
    return any(m.org_unit_id == kpi.owner_id and m.role in (Role.ADMIN, Role.EDITOR) for m in memberships_of(user))


def may_see_draft_notes(user, kpi) -> bool:
    return may_update_kpi(user, kpi)


def may_review_notes(user) -> bool:
    return may_administer_plan(user)
