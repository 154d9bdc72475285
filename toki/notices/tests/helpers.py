"""Building notices in tests through the actions, as production does."""

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.notices import actions

JA = ("冬季の停電への備え", "<p>懐中電灯を用意しましょう。</p>")
EN = ("Getting ready for winter power cuts", "<p>Keep a torch at hand.</p>")


def make_notice(test, *, user=None, category="life", versions=None, districts=(), is_important=False,
                publish=True):
    notice = actions.create_notice(
        acting_user=user or test.alice, municipality=test.municipality, category=category,
        versions=versions or {"ja": JA}, districts=[test.districts[c] for c in districts], is_important=is_important,
    )
    if publish:
        notice = actions.publish_notice(acting_user=user or test.alice, notice=notice)
    return notice


def department_user(username: str, role: str = Role.EDITOR):
    """A member of the city's 総務課 (a department) with `role`."""
    user = account_actions.ensure_user(acting_user=None, username=username, display_name=username)
    unit = account_actions.ensure_org_unit(acting_user=None, name="総務課", kind=OrgUnit.Kind.DEPARTMENT)
    account_actions.grant_membership(acting_user=None, user=user, org_unit=unit, role=role)
    return user
