"""A whole broadcast in real processes, for the exactly-once test and the benchmark (bench/line_delivery.py).

    python -m toki.notify.tests.broadcast_scenario seed --subscribers 20000   # in a process with DATABASE_URL set
    python -m toki.notify.tests.broadcast_scenario status

`Scenario` (below) drives it: a file database migrated from scratch, the local LINE server as a CLI process,
`manage.py run_worker` processes it may SIGKILL, and `notify_sweep --loop` with `events_sweep --loop`. It reads
the outcome with sqlite3 or psycopg directly, so the test process needs no Django database of its own.
"""

import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
FINAL = ("accepted", "failed", "dead")


def seed(count: int, *, order: bool = True) -> dict:
    """Load the profile and personas, add `count` LINE subscribers spread over the districts (a quarter of them
    for the whole municipality, a fifth in English), then have alice issue an evacuation order for every district:
    the real action, whose on-commit hook enqueues the planning task for the workers."""
    from django.conf import settings
    from django.db import transaction

    from toki.alerts.actions.orders import issue_evacuation_order
    from toki.areas.actions import load_profile
    from toki.demo.personas import create_personas
    from toki.notify.models import Channel, Subscriber

    municipality = load_profile(settings.TOKI_MUNICIPALITY_PROFILE)
    alice = create_personas(municipality, secrets.token_urlsafe(16))["alice"]
    districts = list(municipality.districts.all())
    rng = random.Random(5)
    subscribers = [
        Subscriber(municipality=municipality, channel=Channel.LINE, address="U" + secrets.token_hex(16),
                   language="en" if i % 5 == 0 else "ja", all_districts=i % 4 == 0)
        for i in range(count)
    ]
    if count:
        Subscriber.objects.bulk_create(subscribers, batch_size=5000)
    through = Subscriber.districts.through
    through.objects.bulk_create(
        (through(subscriber_id=s.pk, district_id=rng.choice(districts).pk) for s in subscribers if not s.all_districts),
        batch_size=5000)
    if not order:
        return {"subscribers": count}
    with transaction.atomic():
        orders = issue_evacuation_order(acting_user=alice, districts=districts, level=4, hazard="landslide",
                                        reason="大雨により土砂災害の危険が高まっています")
    # Committed (the planning task is enqueued by the on-commit hook, just before this).
    return {"alert": orders[0].issue_alert_id, "committed_at": time.time(), "subscribers": count}


def status() -> dict:
    from django.db.models import Count, Max, Min

    from toki.notify.models import Delivery, DeliveryBatch, Notification

    batches = dict(DeliveryBatch.objects.values_list("state").annotate(n=Count("id")).order_by())
    deliveries = dict(Delivery.objects.values_list("state").annotate(n=Count("id")).order_by())
    times = DeliveryBatch.objects.aggregate(first=Min("first_attempt_at"), last=Max("finished_at"))
    return {"notifications": Notification.objects.count(), "batches": batches, "deliveries": deliveries,
            "attempts": sum(DeliveryBatch.objects.values_list("attempts", flat=True)),
            "first_attempt_at": times["first"].timestamp() if times["first"] else None,
            "last_finished_at": times["last"].timestamp() if times["last"] else None}


class Scenario:
    """Processes around one database file (or PostgreSQL database) and one local LINE server."""

    def __init__(self, workdir: Path, *, line_url: str, database_url: str | None = None, lease_seconds: int = 2,
                 extra_env: dict | None = None):
        self.workdir = Path(workdir)
        self.database_url = database_url or f"sqlite:///{self.workdir / 'broadcast.sqlite3'}"
        self.env = {**os.environ, "DATABASE_URL": self.database_url, "TOKI_TASKS": "db", "LOG_LEVEL": "WARNING",
                    "TOKI_VAR_DIR": str(self.workdir), "LINE_API_BASE_URL": line_url,
                    "LINE_CHANNEL_ACCESS_TOKEN": "test-token", "NOTIFY_LEASE_SECONDS": str(lease_seconds),
                    "TOKI_EVENTS_LEASE_SECONDS": str(lease_seconds),
                    "NOTIFY_RETRY_BASE_SECONDS": "1", "NOTIFY_MAX_ATTEMPTS": "20",
                    **(extra_env or {})}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.workers: list[subprocess.Popen] = []
        self.others: list[subprocess.Popen] = []

    def run(self, *args, timeout: float = 600) -> str:
        done = subprocess.run([PYTHON, *args], cwd=REPO, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{args} failed: {done.stderr[-2000:]}")
        return done.stdout

    def migrate(self) -> None:
        self.run("manage.py", "migrate", "-v0")

    def seed(self, subscribers: int, *, order: bool = True) -> dict:
        """Subscribers, then (unless order=False) the evacuation order; with subscribers=0 only the order."""
        args = ["seed", "--subscribers", str(subscribers)] + ([] if order else ["--no-order"])
        return json.loads(self.run("-m", "toki.notify.tests.broadcast_scenario", *args).strip().splitlines()[-1])

    def status(self) -> dict:
        return json.loads(self.run("-m", "toki.notify.tests.broadcast_scenario", "status").strip().splitlines()[-1])

    def start_worker(self) -> subprocess.Popen:
        worker = subprocess.Popen([PYTHON, "manage.py", "run_worker"], cwd=REPO, env=self.env,
                                  stdout=subprocess.DEVNULL, stderr=open(self.workdir / "worker.log", "ab"))  # noqa: SIM115
        self.workers.append(worker)
        return worker

    def start_sweep(self, interval: float = 0.5) -> subprocess.Popen:
        """notify_sweep (stuck batches, interrupted plannings) and events_sweep (an alert whose delivery to notify
        died with its worker, ADR 0007), as run_scheduler runs them."""
        for command in ("events_sweep", "notify_sweep"):
            sweep = subprocess.Popen([PYTHON, "manage.py", command, "--loop", "--interval", str(interval)],
                                     cwd=REPO, env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=open(self.workdir / "sweep.log", "ab"))  # noqa: SIM115
            self.others.append(sweep)
        return sweep

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.workers + self.others:
            if process.poll() is None:
                process.terminate()
        for process in self.workers + self.others:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(process)

    def wait_until_done(self, expected_batches: int | None = None, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            current = self.status()
            total = sum(current["batches"].values())
            pending = sum(n for state, n in current["batches"].items() if state not in FINAL)
            if current["notifications"] and total and not pending and (expected_batches in (None, total)):
                return current
            if time.monotonic() > deadline:
                raise TimeoutError(f"broadcast not finished: {current}")
            time.sleep(0.3)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toki.settings")
    import django

    django.setup()
    if argv[0] == "seed":
        print(json.dumps(seed(int(argv[argv.index("--subscribers") + 1]), order="--no-order" not in argv)))
    elif argv[0] == "status":
        print(json.dumps(status()))
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
