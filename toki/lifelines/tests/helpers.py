"""Lifelines and partner accounts for the tests."""

from datetime import timedelta

from django.utils import timezone

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.lifelines.actions import report_status, save_lifeline
from toki.test import PERSONA_PASSWORD


class LifelinesMixin:
    @classmethod
    def create_lifelines(cls):
        """佐渡汽船 (a partner with editor pat and viewer vic), another partner with editor ola, three lifelines."""
        cls.kisen = account_actions.ensure_org_unit(acting_user=None, name="佐渡汽船", kind=OrgUnit.Kind.PARTNER)
        cls.power_co = account_actions.ensure_org_unit(acting_user=None, name="東北電力ネットワーク",
                                                       kind=OrgUnit.Kind.AGENCY)
        cls.pat = cls._member("pat", cls.kisen, Role.EDITOR)
        cls.vic = cls._member("vic", cls.kisen, Role.VIEWER)
        cls.ola = cls._member("ola", cls.power_co, Role.EDITOR)
        cls.ferry = save_lifeline(acting_user=None, municipality=cls.municipality, code="ryotsu-ferry", kind="ferry",
                                  name="佐渡汽船 両津–新潟 カーフェリー", district=cls.districts["ryotsu"],
                                  org_unit=cls.kisen)
        cls.power = save_lifeline(acting_user=None, municipality=cls.municipality, code="power", kind="power",
                                  name="東北電力 佐渡", org_unit=cls.power_co)
        cls.road = save_lifeline(acting_user=None, municipality=cls.municipality, code="route-350", kind="road",
                                 name="国道350号")

    @classmethod
    def _member(cls, username, org_unit, role):
        user = account_actions.ensure_user(acting_user=None, username=username, password=PERSONA_PASSWORD)
        account_actions.grant_membership(acting_user=None, user=user, org_unit=org_unit, role=role)
        return user

    def report(self, lifeline, status="normal", *, user=None, minutes_ago=0, **kwargs):
        kwargs.setdefault("source", "佐渡汽船")
        return report_status(acting_user=user or self.alice, lifeline=lifeline, status=status,
                             as_of=timezone.now() - timedelta(minutes=minutes_ago), **kwargs)
