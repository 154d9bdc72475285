"""Pieces of issue 22 that can be shown without the fault suite's processes (tests_faults/ shows them whole): the
RQ worker's log when Redis lost a finished job's record, and the periodic loop that outlives a failing round."""

import shutil
import tempfile
from pathlib import Path
from unittest import skipUnless

from django.test import SimpleTestCase
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.worker import Worker

from toki.lib.periodic import run_step
from toki.lib.rq_worker import TokiWorker


def finished_work(test, job_class=TokiWorker):
    """A worker and a job whose function has returned, on a Redis of the test's own (a spare loopback port, as the
    fault suite's) that is then stopped: the job is finalised while Redis is gone."""
    from tests_faults.services import OwnRedis

    folder = tempfile.TemporaryDirectory(prefix="toki-rq-log-")
    test.addCleanup(folder.cleanup)
    server = OwnRedis(Path(folder.name)).start()
    test.addCleanup(server.stop)
    connection = Redis(port=server.port, socket_connect_timeout=0.5)
    queue = Queue("default", connection=connection)
    job = Job.create(func=print, args=("done",), connection=connection)
    worker = job_class([queue], connection=connection, name=f"test-worker-{job_class.__name__}")
    server.stop()
    return worker, job, queue


# A Redis server of the test's own is needed; a fresh machine has none (`make test` installs nothing system-wide).
# CI installs redis-server for the fault suite, so these run there (docs/ci.md).
@skipUnless(shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/sbin"),
            "needs the redis-server program (CI installs it for the fault suite)")
class RqWorkerLogTests(SimpleTestCase):
    def test_a_finished_job_whose_record_redis_lost_is_logged_as_finished_not_failed(self):
        worker, job, queue = finished_work(self)
        with self.assertLogs("rq.worker", "WARNING") as logs:
            worker._finalize_success(job, queue, None, {"accepted": 8})  # no exception: the work is done
        self.assertEqual(len(logs.records), 1)
        self.assertEqual(logs.records[0].levelname, "WARNING")
        self.assertIn(f"job {job.id} (builtins.print) finished its work (returned {{'accepted': 8}})",
                      logs.output[0])
        self.assertIn("nothing to retry", logs.output[0])

    def test_stock_rq_would_have_called_it_a_failure(self):
        worker, job, queue = finished_work(self, Worker)
        with self.assertRaises(Exception):  # noqa: B017 - perform_job then logs it as an exception while executing
            worker._finalize_success(job, queue, None, {"accepted": 8})


class PeriodicTests(SimpleTestCase):
    def test_a_failing_round_is_logged_and_the_next_one_runs(self):
        rounds = []

        def step():
            rounds.append(len(rounds))
            if len(rounds) == 1:
                raise ConnectionError("the database restarted")

        with self.assertLogs("toki.lib.periodic", "ERROR"):
            self.assertFalse(run_step("a sweep", step))
        self.assertTrue(run_step("a sweep", step))
        self.assertEqual(rounds, [0, 1])
