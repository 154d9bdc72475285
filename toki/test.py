"""BaseTestCase and the test personas (DESIGN.md rule 9).

alice: HQ admin (防災課); bob: branch-office staff of 両津; carol: shelter staff of one shelter; dave: welfare
staff allowed one district (相川) of the registry; eve: a logged-in outsider with no membership.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.test import TestCase, TransactionTestCase

from toki.areas.actions import load_profile
from toki.demo.personas import create_personas

PERSONA_PASSWORD = "correct-horse-battery-staple-7"


class PersonasMixin:
    @classmethod
    def create_world(cls):
        cls.municipality = load_profile(settings.TOKI_MUNICIPALITY_PROFILE)
        users = create_personas(cls.municipality, PERSONA_PASSWORD)
        cls.alice, cls.bob, cls.carol = users["alice"], users["bob"], users["carol"]
        cls.dave, cls.eve = users["dave"], users["eve"]
        cls.districts = {d.code: d for d in cls.municipality.districts.all()}

    def login(self, user):
        self.client.force_login(user)


class BaseTestCase(PersonasMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_world()


@contextmanager
def audit_guard_lifted():
    """Lift the append-only triggers while the test harness resets the database between tests.

    Production databases keep them; only TransactionTestCase's flush needs to empty the table.
    """
    from toki.accounts.migrations import _append_only

    with connection.schema_editor() as editor:
        _append_only.drop(editor)
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            _append_only.create(editor)


class BaseTransactionTestCase(PersonasMixin, TransactionTestCase):
    """For tests that need real commits (on_commit hooks, other processes reading the data)."""

    def setUp(self):
        super().setUp()
        self.create_world()

    def _fixture_teardown(self):
        with audit_guard_lifted():
            super()._fixture_teardown()
