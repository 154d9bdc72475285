"""The RQ worker class of `manage.py run_worker` (TOKI_TASKS=rq): RQ's own, with logs that tell the truth when
Redis restarts under a job (issue 22, docs/operations.md).

A job's work is done when its function returns: its effects are committed in the database. What RQ does next is
bookkeeping in Redis (the success callback of django-tasks-rq reads the job's status, the result is stored, the job
moved to the finished registry). When Redis restarted meanwhile without persistence, the job's hash is gone and
that bookkeeping raises; stock RQ then logs "exception raised while executing" and a failure callback error with
two tracebacks, for work that succeeded. Here that case is one WARNING saying what happened: the work finished,
its record in Redis was lost, nothing is to be retried (Toki's sweeps own retries, from the database).
"""

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.worker import Worker

# What the bookkeeping raises when Redis is away or came back empty.
REDIS_WENT_AWAY = (RedisConnectionError, RedisTimeoutError, InvalidJobOperation, NoSuchJobError)


class TokiWorker(Worker):
    # Set when the process was told to stop (SIGTERM, SIGINT): `run_worker` then ends instead of starting a new
    # worker, which it does when RQ quit on its own after losing Redis between two jobs.
    stop_requested = False

    def request_stop(self, signum, frame):
        TokiWorker.stop_requested = True
        super().request_stop(signum, frame)

    def _finalize_success(self, job, queue, execution, return_value):
        try:
            super()._finalize_success(job, queue, execution, return_value)
        except REDIS_WENT_AWAY as error:
            self.log.warning(
                "Worker %s: job %s (%s) finished its work (returned %r); recording that in Redis failed (%s: %s): "
                "Redis was unreachable or restarted and lost the job's record. The work is done; nothing to retry.",
                self.name, job.id, job.func_name, return_value, type(error).__name__, error)
