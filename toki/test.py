"""BaseTestCase and the test personas (DESIGN.md rule 9).

alice: HQ admin (防災課); bob: branch-office staff of 両津; carol: shelter staff of one shelter; dave: welfare
staff allowed one district (相川) of the registry; eve: a logged-in outsider with no membership. For the tests that
try the wrong district or shelter, `wrong_place_personas` adds frank (相川 branch office) and grace (shelter staff
of another shelter).
"""

import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.runner import DiscoverRunner
from django.utils import translation

from toki.areas.actions import load_profile
from toki.demo.personas import create_personas

PERSONA_PASSWORD = "correct-horse-battery-staple-7"
# For tests that look at the queue itself (DBTaskResult rows), whatever backend the run is configured with.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


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


def member_with_role(username: str, org_unit, role: str):
    """One more account with one membership (e.g. an HQ viewer, a shelter team's viewer), made through the accounts
    actions like the personas: for tests of what a role may do that the personas cannot show."""
    from toki.accounts import actions as account_actions

    user = account_actions.ensure_user(acting_user=None, username=username, display_name=username,
                                       password=PERSONA_PASSWORD)
    account_actions.grant_membership(acting_user=None, user=user, org_unit=org_unit, role=role)
    return user


def wrong_place_personas(municipality, other_shelter) -> dict:
    """frank, the 相川 branch office's reporter (the wrong district for bob's 両津 work), and grace, shelter staff of
    `other_shelter` (the wrong shelter for carol's), made through the accounts and shelters actions."""
    from toki.accounts import actions as account_actions
    from toki.accounts.models import OrgUnit, Role
    from toki.areas.models import District
    from toki.demo.hq import create_hq_demo_users
    from toki.shelters.actions.master import link_shelter_team

    frank = create_hq_demo_users(municipality, PERSONA_PASSWORD)["frank"]
    grace = account_actions.ensure_user(acting_user=None, username="grace", display_name="相川 グレース",
                                        password=PERSONA_PASSWORD)
    team = account_actions.ensure_org_unit(
        acting_user=None, name=f"{other_shelter.name} 避難所運営班", kind=OrgUnit.Kind.SHELTER_TEAM,
        district=District.objects.filter(municipality=municipality, code="aikawa").first())
    account_actions.grant_membership(acting_user=None, user=grace, org_unit=team, role=Role.EDITOR)
    link_shelter_team(acting_user=None, org_unit=team, shelter=other_shelter)
    return {"frank": frank, "grace": grace}


class ProfileTestCase(TestCase):
    """The default municipality profile loaded, nothing more: for tests of what reads the profile (the place names
    an alert is rendered with)."""

    @classmethod
    def setUpTestData(cls):
        cls.municipality = load_profile(settings.TOKI_MUNICIPALITY_PROFILE)


class BaseTestCase(PersonasMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_world()

    def setUp(self):
        super().setUp()
        # A request made by an earlier test leaves its language active in this thread; start from the default.
        translation.activate(settings.LANGUAGE_CODE)
        self.addCleanup(translation.deactivate)


@contextmanager
def audit_guard_lifted():
    """Lift the append-only triggers while the test harness resets the database between tests.

    Production databases keep them; only TransactionTestCase's flush needs to empty the table.
    """
    from toki.accounts.migrations import _append_only

    present = set(connection.introspection.table_names())
    tables = [table for table in _append_only.TABLES if table in present]
    with connection.schema_editor() as editor:
        for table in tables:
            _append_only.drop(editor, table)
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            for table in tables:
                _append_only.create(editor, table)


class BaseTransactionTestCase(PersonasMixin, TransactionTestCase):
    """For tests that need real commits (on_commit hooks, other processes reading the data)."""

    def setUp(self):
        super().setUp()
        self.create_world()

    def _fixture_teardown(self):
        with audit_guard_lifted():
            super()._fixture_teardown()


# The mixin's methods use TestCase's (addCleanup, captureOnCommitCallbacks); the type checker is told so.
_TestCaseBase = TestCase if TYPE_CHECKING else object


class QueueMixin(_TestCaseBase):  # type: ignore[misc,valid-type]
    """For tests run with TASKS=DATABASE_TASKS: work off the queue as `manage.py db_worker --batch` would, with the
    on-commit hooks of the tasks run too (a TestCase never commits), until nothing is left to run."""

    def run_queued_tasks(self) -> int:
        """Returns how many tasks ran. A 軽量版 a task publishes goes to a temporary folder unless the test chose
        one (never the shared var/static-site of the other test processes)."""
        import tempfile

        from django.core.management import call_command
        from django_tasks_db.models import DBTaskResult

        static_dir: str | Path = settings.TOKI_STATIC_SITE_DIR
        if static_dir == settings.VAR_DIR / "static-site":
            static_dir = tempfile.mkdtemp(prefix="toki-test-static-")
            self.addCleanup(shutil.rmtree, static_dir, ignore_errors=True)
        ran = 0
        # The worker closes "obsolete" connections between tasks, and inside a TestCase's transaction the
        # connection looks obsolete (autocommit off): on PostgreSQL that would close the test's own transaction.
        # Django's test client leaves close_old_connections out of requests for the same reason.
        from unittest import mock

        keep_connection = mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections",
                                     lambda: None)
        with override_settings(TOKI_STATIC_SITE_DIR=static_dir), keep_connection:
            for _ in range(20):
                ready = DBTaskResult.objects.ready().count()
                if not ready:
                    return ran
                with self.captureOnCommitCallbacks(execute=True):
                    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
                ran += ready
        raise AssertionError("the task queue never emptied")

    @contextmanager
    def committed(self):
        """The block's transaction commits: its on-commit hooks run, then the tasks they queued (domain event
        deliveries and what they start), as a worker would."""
        with self.captureOnCommitCallbacks(execute=True):
            yield
        self.run_queued_tasks()


def enqueued_on_commit(callbacks, task) -> list[tuple]:
    """The arguments of each enqueue of `task` among captured on-commit callbacks (captureOnCommitCallbacks),
    whichever way it was registered: `task.enqueue` itself, or through `toki.lib.tasks.enqueue_or_report`."""
    from toki.lib.tasks import enqueue_or_report

    found = []
    for callback in callbacks:
        func, args = getattr(callback, "func", None), getattr(callback, "args", ())
        if getattr(func, "__self__", None) is task:
            found.append(tuple(args))
        elif func is enqueue_or_report and args and args[0] is task:
            found.append(tuple(args[1:]))
    return found


def ensure_redis(url: str) -> None:
    """Make sure the local Redis answers; start it as the machine's services doc says if it is down."""
    import shutil
    import subprocess
    import time

    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
        return
    except redis.ConnectionError:
        pass
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError(f"Redis at {url} is down and redis-server is not installed")
    subprocess.run(  # noqa: S603 - fixed local command
        [server, "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "", "--appendonly", "no"],
        check=True, capture_output=True,
    )
    for _ in range(50):
        try:
            client.ping()
            return
        except redis.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"Redis at {url} did not come up")


class TokiTestRunner(DiscoverRunner):
    """Django's runner with a fast password hasher (the personas are created for every test class) and a cache of
    each test process's own: with REDIS_URL set, the parallel test processes would otherwise share one Redis
    database, read each other's entries (incident 1 of one test database is not incident 1 of another) and empty
    it under each other's feet with `cache.clear()`."""

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        # The page cache is off: tests change data without the domain events that would invalidate it. Its own
        # tests (toki/portal/tests/test_page_cache.py) switch it on.
        self._own_cache = override_settings(CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "toki-tests"},
            "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "toki-test-pages"},
        }, TOKI_PAGE_CACHE_SECONDS=0)
        self._own_cache.enable()

    def teardown_test_environment(self, **kwargs):
        self._own_cache.disable()
        super().teardown_test_environment(**kwargs)
