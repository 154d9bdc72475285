"""The access matrix (issue 13, deliver 2): every URL of the URLconf, the API's included, has a declared rule in
`toki/tests/access_rules.py`, and is tried as the anonymous public, eve (no role) and the personas of the wrong
kind, district or shelter. A new view without a rule fails here; a rule that no longer matches what the view
does fails too. Never a 5xx, never a 200 for someone refused."""

import re

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLResolver, get_resolver

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.shelters.actions.master import link_shelter_team
from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import PERSONA_PASSWORD, BaseTestCase
from toki.tests.access_rules import DEBUG_ONLY, LOGIN, PUBLIC, RULES, SIGNED, TOKEN

ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
VALUES = {"int": "1", "uuid": "00000000-0000-4000-8000-000000000001", "slug": "sites_roads", "path": "x"}
REFUSED = {400, 403, 404}


def routes(resolver=None, prefix=""):
    """Every route of the URLconf as written (`hq/incidents/<int:pk>/`), includes followed."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def url_of(route: str) -> str:
    return "/" + ARGUMENT.sub(lambda m: VALUES.get(m.group(1) or "str", "1"), route)


class AccessMatrixTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()  # incident 1, opening 1 (carol's shelter)
        # grace: shelter staff of the other shelter, the persona of the wrong shelter.
        cls.grace = account_actions.ensure_user(acting_user=None, username="grace", display_name="相川 グレース",
                                                password=PERSONA_PASSWORD)
        team = account_actions.ensure_org_unit(acting_user=None, name="相川中学校 避難所運営班",
                                               kind=OrgUnit.Kind.SHELTER_TEAM, district=cls.districts["aikawa"])
        account_actions.grant_membership(acting_user=None, user=cls.grace, org_unit=team, role=Role.EDITOR)
        link_shelter_team(acting_user=None, org_unit=team, shelter=cls.other_shelter)

    def answer(self, url: str, user=None) -> tuple[str, int, str]:
        """(method, status, redirect target): GET, or POST with no data where the view takes only POST."""
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        response, method = self.client.get(url), "GET"
        if response.status_code == 405:
            response, method = self.client.post(url, {}), "POST"
        return method, response.status_code, response.get("Location", "")

    def assert_sent_to_login(self, url):
        """Anonymous visitors: a page sends them to log in, the API answers 401; a few JSON feeds answer 404."""
        method, status, location = self.answer(url)
        if status == 404 and url.endswith(".json"):
            return
        if url.startswith("/api/") or status == 401:
            self.assertEqual(status, 401, f"{method} {url} as anonymous")
        else:
            self.assertEqual(status, 302, f"{method} {url} as anonymous")
            self.assertTrue(location.startswith(resolve_url(settings.LOGIN_URL)), f"{method} {url} as anonymous")

    def test_it_declares_a_rule_for_every_url(self):
        found = set(routes())
        self.assertEqual(sorted(found - RULES.keys()), [], "add these to toki/tests/access_rules.py")
        stale = {route for route in RULES.keys() - found if RULES[route] != DEBUG_ONLY}
        self.assertEqual(sorted(stale), [], "these rules name URLs that no longer exist")

    def test_it_answers_every_url_as_its_rule_declares(self):
        personas = {"eve": self.eve, "bob": self.bob, "carol": self.carol, "dave": self.dave, "grace": self.grace}
        for route in sorted(set(routes())):
            rule, url = RULES.get(route), url_of(route)
            with self.subTest(route=route, rule=rule):
                if rule is None or rule == DEBUG_ONLY:
                    continue
                if rule == PUBLIC:
                    self.assertLess(self.answer(url)[1], 500)
                elif rule == LOGIN:
                    self.assert_sent_to_login(url)
                    self.assertLess(self.answer(url, self.eve)[1], 500)
                elif rule == TOKEN:
                    self.assertEqual(self.answer(url)[1], 404)
                elif rule == SIGNED:
                    self.assertIn(self.answer(url)[1], {400, 503})  # unsigned; 503 when no channel is configured
                else:
                    self.assert_sent_to_login(url)
                    for name in rule:
                        method, status, _location = self.answer(url, personas[name])
                        self.assertIn(status, REFUSED, f"{method} {url} as {name}")
