"""A task enqueued inside a transaction runs after commit, and never after a rollback, on both backends."""

import os
from unittest import mock

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from toki.accounts.models import AuditEvent
from toki.lib.tasks import enqueue_on_commit
from toki.lib.tests.sample_tasks import leave_marker
from toki.test import DATABASE_TASKS, BaseTransactionTestCase, ensure_redis


class Rollback(Exception):
    pass


def markers() -> set[str]:
    return {e.changes["marker"] for e in AuditEvent.objects.filter(action="test.task_ran")}


class TaskBackendContract:
    """The behaviour both backends must show; subclasses say how to look at the queue and run the worker."""

    def queued_count(self) -> int:
        raise NotImplementedError

    def run_worker(self) -> None:
        raise NotImplementedError

    def test_it_enqueues_nothing_before_commit(self):
        with transaction.atomic():
            enqueue_on_commit(leave_marker, "before-commit")
            self.assertEqual(self.queued_count(), 0)
        self.assertEqual(self.queued_count(), 1)

    def test_it_runs_a_task_after_commit(self):
        with transaction.atomic():
            enqueue_on_commit(leave_marker, "committed")
        self.run_worker()
        self.assertIn("committed", markers())

    def test_it_never_runs_a_task_after_rollback(self):
        with self.assertRaises(Rollback), transaction.atomic():
            enqueue_on_commit(leave_marker, "rolled-back")
            raise Rollback
        self.assertEqual(self.queued_count(), 0)
        self.run_worker()
        self.assertNotIn("rolled-back", markers())

    def test_it_never_runs_a_task_of_a_rolled_back_savepoint(self):
        with transaction.atomic():
            enqueue_on_commit(leave_marker, "outer")
            with self.assertRaises(Rollback), transaction.atomic():
                enqueue_on_commit(leave_marker, "inner")
                raise Rollback
        self.run_worker()
        self.assertEqual(markers(), {"outer"})


@override_settings(TASKS=DATABASE_TASKS)
class DatabaseBackendTests(TaskBackendContract, BaseTransactionTestCase):
    def queued_count(self):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.count()

    def run_worker(self):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


TEST_REDIS_URL = os.environ.get("TOKI_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}})
class RQBackendTests(TaskBackendContract, BaseTransactionTestCase):
    """Against the machine's real Redis (started if it is down), on a database of its own."""

    @classmethod
    def setUpClass(cls):
        ensure_redis(TEST_REDIS_URL)
        cls.queues = mock.patch.dict(
            "django_rq.settings.QUEUES", {"default": {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 60}}
        )
        cls.queues.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.queues.stop()

    def setUp(self):
        super().setUp()
        import django_rq

        self.queue = django_rq.get_queue("default")
        self.queue.connection.flushdb()

    def queued_count(self):
        return self.queue.count

    def run_worker(self):
        # SimpleWorker runs jobs in this process, so they see the test database (a fork would not).
        call_command("rqworker", "default", burst=True, worker_class="rq.worker.SimpleWorker",
                     job_class="django_tasks_rq.Job", verbosity=0)
