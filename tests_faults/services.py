"""The fault suite's own services (docs/ci.md, issue 22): a PostgreSQL cluster made with the machine's binaries in a
temporary folder and a Redis, each on a spare loopback port — never the machine's shared instances, which the
suite stops, kills and restarts. Also the processes of a production site: gunicorn with deploy/gunicorn.conf.py,
RQ workers (`manage.py run_worker`), the sweeps, each in a session of its own so that a kill takes its children
(an RQ worker's work horse) too.
"""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait(check, what: str, timeout: float = 30.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except Exception:  # noqa: S110 - not up yet
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(every)


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): apt-get install "
                           "postgresql")
    return Path(found[-1]).parent


class OwnPostgres:
    """A throw-away cluster: initdb into `root`, trust authentication on 127.0.0.1:`port` only. PostgreSQL refuses
    to run as root, so as root it runs as the `postgres` system user."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "pgdata"
        self.port = free_port()
        self.bin = postgres_bin()
        self.log = root / "postgres.log"

    def _as_owner(self, *command: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return list(command)

    def _run(self, *command: str, timeout: float = 60) -> None:
        done = subprocess.run(self._as_owner(*command), capture_output=True, text=True,  # noqa: S603 - fixed
                              timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} exited {done.returncode}: {(done.stderr or done.stdout)[-1500:]}")

    def _pg_ctl(self, *args: str, timeout: float = 60) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args, timeout=timeout)

    def start(self) -> "OwnPostgres":
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            # A temporary folder is root's alone: let the postgres user through (not read).
            os.chmod(self.root.parent, 0o711)  # noqa: S103
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale", "C", timeout=120)
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c max_connections=200")
        self._pg_ctl("-w", "-o", options, "start")
        return self

    def url(self, database: str = "toki_faults") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str = "toki_faults") -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')

    def restart(self) -> None:
        """A fast restart (clients disconnected, checkpoint, start): what an operator's restart does."""
        self._pg_ctl("-w", "-m", "fast", "restart")

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
                self._pg_ctl("-w", "-m", "immediate", "stop", timeout=30)


class OwnRedis:
    """A Redis without persistence (`--save "" --appendonly no`): the worst case for queued jobs, which a restart
    drops; the sweeps must recover them (docs/operations.md says what persistence production should have)."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "OwnRedis":
        self.root.mkdir(parents=True, exist_ok=True)
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.process = subprocess.Popen(  # noqa: S603 - the machine's redis-server
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.root), "--logfile", str(self.root / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait(client.ping, "Redis answering")
        return self

    def stop(self) -> None:
        """Stopped as a crash or `systemctl stop` without persistence would: the queue is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (from /proc), deepest first."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(p) for p in path.read_text().split()] if path.exists() else []
    return [d for child in children for d in descendants(child)] + children


class Processes:
    """The site's long-running processes, each in its own session (a kill takes its children)."""

    def __init__(self, env: dict, logs: Path):
        self.env = env
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str, env: dict | None = None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        process = subprocess.Popen([PYTHON, *args], cwd=REPO,  # noqa: S603 - our own modules
                                   env={**self.env, **(env or {})},
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        self.running[name] = process
        return process

    def kill(self, name: str) -> None:
        """SIGKILL to the process and every descendant: RQ's work horse runs in a session of its own (setsid), so a
        process-group kill would leave it finishing the job, which is not what a crash of the machine does."""
        process = self.running.pop(name)
        for pid in [*descendants(process.pid), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for name in list(self.running):
            process = self.running[name]
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(name)
        self.running.clear()
