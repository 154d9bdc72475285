"""A throwaway Toki site for the browser tests: its own SQLite database, static files and server process.

Nothing here touches the repository's `var/` or `staticfiles/`: the database, media and collected static
files live in a temporary directory that the caller removes. The server is the production one (gunicorn,
TOKI_DEBUG=0, whitenoise serving the collected files) unless gunicorn cannot be used, in which case Django's
runserver stands in with TOKI_DEBUG=1 and the caller says so.
"""

import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = BASE_DIR / "test-artifacts"
GUNICORN_CONF = BASE_DIR / "deploy" / "gunicorn.conf.py"

# Variables that could point the throwaway site at a real database, queue, cache or media folder.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "TOKI_TASKS", "MEDIA_ROOT", "STATIC_ROOT", "TOKI_VAR_DIR",
                 "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECRET_KEY", "TOKI_DEBUG", "SECURE_SSL_REDIRECT")
SHARD_ENV = "TOKI_BROWSER_SHARD"  # set in each shard of `run.py --jobs N`: its number, from 1
COMMAND_TIMEOUT = int(os.environ.get("TOKI_BROWSER_COMMAND_TIMEOUT", "180"))  # seconds for one manage.py command
HEALTH_TIMEOUT = int(os.environ.get("TOKI_BROWSER_HEALTH_TIMEOUT", "30"))  # seconds; more on a loaded machine


class ServerError(RuntimeError):
    """The throwaway site could not be prepared, started or reached."""


@dataclass
class Site:
    workdir: Path
    kind: str  # "gunicorn" or "runserver"
    note: str = ""  # why gunicorn was not used, when it was not
    env: dict = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None  # the task worker, as `make run` and production run one
    log_path: Path = ARTIFACTS_DIR / "browser-server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def gunicorn_problem() -> str:
    """Return why gunicorn cannot serve the site here, or "" when it can."""
    try:
        done = subprocess.run([sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True,
                              timeout=30, cwd=BASE_DIR, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"gunicorn --version failed: {exc}"
    if done.returncode != 0:
        return f"gunicorn --version exited {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}"
    return ""


def create_site(workdir: Path) -> Site:
    problem = gunicorn_problem()
    site = Site(workdir=workdir, kind="runserver" if problem else "gunicorn", note=problem)
    debug = site.kind == "runserver"
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="toki.settings",
        TOKI_VAR_DIR=str(workdir / "var"),
        MEDIA_ROOT=str(workdir / "var" / "media"),
        STATIC_ROOT=str(workdir / "static"),
        TOKI_DEBUG="1" if debug else "0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        PYTHONUNBUFFERED="1",
        # The dispatcher's compiled kernel from the checkout's cache (compiled once by the unit tests or `make
        # setup`), not compiled again in every throwaway site's own var directory.
        NUMBA_CACHE_DIR=os.environ.get("NUMBA_CACHE_DIR", str(BASE_DIR / "var" / "numba")),
        # The registry's own keys (made up for this run; docs/registry.md), so its demo and pages work.
        TOKI_REGISTRY_KEYS=f"v1={base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}",
        TOKI_REGISTRY_INDEX_KEY=secrets.token_urlsafe(48),
    )
    site.env = env
    return site


def manage(site: Site, *args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    try:
        done = subprocess.run(command, cwd=BASE_DIR, env=site.env, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise ServerError(f"manage.py {' '.join(args)} did not finish in {COMMAND_TIMEOUT}s") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()
        raise ServerError(f"manage.py {' '.join(args)} exited {done.returncode}:\n  " + "\n  ".join(output[-15:]))


def prepare(site: Site) -> None:
    """Database, demo data and static files, each step exactly as an operator would run it."""
    manage(site, "compile_translations")
    manage(site, "migrate", "--no-input")
    manage(site, "seed_demo")
    manage(site, "collectstatic", "--no-input")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(site: Site) -> None:
    site.port = free_port()
    address = f"127.0.0.1:{site.port}"
    if site.kind == "gunicorn":
        # The production configuration when there is one (deploy/gunicorn.conf.py); the flags below win over it:
        # our port, an access log for the artifacts, a quick stop, and no control socket in ~/.gunicorn.
        config = ["-c", str(GUNICORN_CONF)] if GUNICORN_CONF.exists() else ["--workers", "2", "--threads", "4"]
        command = [sys.executable, "-m", "gunicorn", *config, "--bind", address, "--graceful-timeout", "5",
                   "--access-logfile", "-", "--error-logfile", "-", "--no-control-socket", "toki.wsgi:application"]
    else:
        command = [sys.executable, "manage.py", "runserver", address, "--noreload"]
    site.log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(site.log_path, "wb") as log:
        # A session of its own, so that stop() ends gunicorn's workers along with their master.
        site.process = subprocess.Popen(command, cwd=BASE_DIR, env=site.env, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        # The domain events' subscribers (the page cache told of a new order, the chronology, LINE) run in the
        # worker after each commit, within a second: without it a cached public page would wait for its expiry.
        site.worker = subprocess.Popen([sys.executable, "manage.py", "run_worker"], cwd=BASE_DIR, env=site.env,
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)


def log_tail(site: Site, lines: int = 20) -> str:
    try:
        text = site.log_path.read_text(errors="replace")
    except OSError:
        return "(no server log)"
    return "\n  ".join(text.strip().splitlines()[-lines:])


def wait_healthy(site: Site) -> None:
    url = f"{site.url}/api/v1/health"
    deadline = time.monotonic() + HEALTH_TIMEOUT
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if site.process is not None and site.process.poll() is not None:
            raise ServerError(f"{site.kind} exited with {site.process.returncode}:\n  {log_tail(site)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body = json.loads(response.read())
            if response.status == 200 and body.get("status") == "ok":
                return
            last_error = f"HTTP {response.status} {body!r}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last_error = str(exc)
        time.sleep(0.3)
    raise ServerError(f"{url} did not answer within {HEALTH_TIMEOUT}s ({last_error}):\n  {log_tail(site)}")


def stop(site: Site) -> None:
    if site.worker is not None and site.worker.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(site.worker.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            site.worker.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(site.worker.pid, signal.SIGKILL)
    process = site.process
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):  # a worker that outlived its master is still in the group
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
