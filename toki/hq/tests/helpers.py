"""Shared set-up for the HQ tests: an incident, the 相川 branch reporter of the demo (frank), an HQ viewer."""

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.demo.hq import create_hq_demo_users
from toki.hq import actions
from toki.hq.actions.instructions import give_instruction
from toki.test import PERSONA_PASSWORD, BaseTestCase


class HqTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ryotsu, cls.aikawa = cls.districts["ryotsu"], cls.districts["aikawa"]
        cls.ryotsu_office = OrgUnit.objects.get(name="両津支所")
        cls.frank = create_hq_demo_users(cls.municipality, PERSONA_PASSWORD)["frank"]  # 相川支所 reporter
        cls.aikawa_office = OrgUnit.objects.get(name="相川支所")
        cls.victor = account_actions.ensure_user(acting_user=None, username="victor", display_name="本部 閲覧",
                                                 password=PERSONA_PASSWORD)
        account_actions.grant_membership(acting_user=None, user=cls.victor,
                                         org_unit=OrgUnit.objects.get(kind=OrgUnit.Kind.HQ), role=Role.VIEWER)
        cls.incident = actions.open_incident(
            acting_user=cls.alice, municipality=cls.municipality, name="令和8年7月豪雨", kind="heavy_rain",
            started_at=timezone.now() - timedelta(hours=2), districts=[cls.ryotsu, cls.aikawa],
            hq_level="disaster_hq")

    def setUp(self):
        super().setUp()
        cache.clear()  # the board caches its parts by incident id, and ids repeat between tests

    def instruct(self, to_org_unit=None, to_user=None, **kwargs):
        params = {"acting_user": self.alice, "incident": self.incident, "title": "土砂崩れ現場の確認",
                  "priority": "high", "due_at": timezone.now() + timedelta(hours=1)}
        params.update(kwargs)
        if to_org_unit is None and to_user is None:
            to_org_unit = self.ryotsu_office
        return give_instruction(to_org_unit=to_org_unit, to_user=to_user, **params)
