"""Shared code for the benchmarks in bench/: tools, ports, processes, wrk, machine facts, results.

Modules whose name starts with "_" are helpers: `bench/run_all.py` runs every other `bench/*.py`. A benchmark
script runs standalone (`python bench/<name>.py`), prints a table and writes `bench/results/<name>.json`, and
exits 0 when the run was clean, 1 when it failed or measured errors, and EXIT_MISSING_TOOL when a tool it needs
is not installed (it then says how to install it). Everything listens on 127.0.0.1 only.
"""

import contextlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "bench" / "results"
EXIT_MISSING_TOOL = 3

INSTALL_HINTS = {
    "nginx": "apt-get install --no-install-recommends nginx-light   (Debian/Ubuntu; 'nginx' works too)",
    "wrk": "apt-get install wrk   (Debian/Ubuntu)",
}


_TOOL_PATHS: dict[str, str] = {}  # filled by require_tools


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


class MissingTool(BenchError):
    """An external program the benchmark drives is not installed."""


# Variables of the caller that would make a run depend on the machine's own configuration.
HOST_VARIABLES = ("DATABASE_URL", "REDIS_URL", "TOKI_TASKS", "MEDIA_ROOT", "TOKI_MUNICIPALITY_PROFILE",
                  "GUNICORN_CMD_ARGS", "DJANGO_SETTINGS_MODULE")

# The part of a throwaway nginx configuration every benchmark shares: foreground, temp files in the run's
# directory, no access log. `servers` is the inside of the http block after the common settings.
NGINX_CONF = """\
# Throwaway nginx for {what}.
daemon off;
master_process on;
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    types {{ text/html html; }}
{servers}
}}
"""


def nginx_conf(tmp, *, what: str, servers: str, worker_connections: int = 1024) -> str:
    return NGINX_CONF.format(tmp=tmp, what=what, servers=servers, worker_connections=worker_connections)


def isolated_app_env(tmp, **extra: str) -> dict[str, str]:
    """The environment of a benchmark's own Toki: production mode, a fresh SECRET_KEY, its own var dir, and none
    of the caller's database, queue or profile settings."""
    env = {key: value for key, value in os.environ.items() if key not in HOST_VARIABLES}
    env.update({"TOKI_DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "TOKI_VAR_DIR": str(tmp / "var"),
                "PYTHONDONTWRITEBYTECODE": "1", **extra})
    return env


BENCH_PASSWORD = "bench-password-not-secret-1"  # noqa: S105 - the personas of a throwaway benchmark database


def django_world(password: str = BENCH_PASSWORD):
    """In a benchmark's child process (DATABASE_URL set to an empty database): Django set up, the database
    migrated, the profile and personas loaded. Returns (municipality, alice)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toki.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from toki.areas.actions import load_profile
    from toki.demo.personas import create_personas

    municipality = load_profile(settings.TOKI_MUNICIPALITY_PROFILE)
    return municipality, create_personas(municipality, password)["alice"]


def require_tools(*names: str) -> dict[str, str]:
    """Return {name: path} for each program, or raise MissingTool naming every missing one and its install hint."""
    found = {name: shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin") for name in names}
    missing = [name for name, path in found.items() if not path]
    if missing:
        hints = "\n".join(f"  {name}: {INSTALL_HINTS.get(name, 'install it with your package manager')}"
                          for name in missing)
        raise MissingTool(f"missing {', '.join(missing)}; install with:\n{hints}")
    _TOOL_PATHS.update(found)
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_process(cmd: list[str], *, log_path: Path, cwd: Path = REPO, env: dict | None = None) -> subprocess.Popen:
    """Start a server in a new session (its own process group), output to log_path. Stop it with stop_process."""
    log = open(log_path, "ab")  # noqa: SIM115 - the child owns the descriptor; closed below in the parent
    try:
        return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    finally:
        log.close()


def stop_process(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Signal the process group we started (by its id), wait, then SIGKILL it if it is still there."""
    if proc is None:
        return
    if proc.poll() is not None:  # the leader is gone; its workers may not be
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def process_tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process, its live children and the children it reaped.

    A server's CPU per request is steadier than its requests/second on a shared machine: what other processes
    take shows up in throughput, much less in the server's own CPU time. Linux only (reads /proc); 0 elsewhere.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid:
            total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
        elif int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def http_get(host: str, port: int, path: str = "/", timeout: float = 10) -> tuple[int, dict, bytes]:
    """One GET without following redirects: (status, headers, body)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_http(port: int, proc: subprocess.Popen, log_path: Path, path: str = "/", timeout: float = 60) -> None:
    """Wait until the server on 127.0.0.1:port answers any HTTP response; fail early if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode} while starting:\n{log_tail(log_path)}")
        try:
            http_get("127.0.0.1", port, path, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"server on 127.0.0.1:{port} did not answer within {timeout:.0f} s:\n{log_tail(log_path)}")


def run_checked(cmd: list[str], *, what: str, env: dict | None = None, timeout: float = 300) -> str:
    """Run a preparation command; on failure raise BenchError with its output."""
    try:
        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} took more than {timeout:.0f} s") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()[-30:]
        raise BenchError(f"{what} failed (exit {done.returncode}):\n" + "\n".join(output))
    return done.stdout


# --- wrk -------------------------------------------------------------------------------------------------
_TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4, "P": 1024**5}
_TIME = r"([\d.]+)(us|ms|s|m|h)\b"


def _ms(value: str, unit: str) -> float:
    return round(float(value) * _TIME_UNITS[unit], 3)


def parse_wrk(text: str) -> dict:
    """Parse `wrk --latency` output. Raises BenchError when the essential lines are missing."""
    result: dict = {"latency_ms": {}, "socket_errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0},
                    "non_2xx_3xx": 0}
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)(?:\.0+)?%\s+" + _TIME, text, re.MULTILINE):
        result["latency_ms"][f"p{pct}"] = _ms(value, unit)
    if match := re.search(r"^\s+Latency\s+" + _TIME + r"\s+" + _TIME + r"\s+" + _TIME, text, re.MULTILINE):
        result["latency_ms"]["avg"] = _ms(*match.group(1, 2))
        result["latency_ms"]["max"] = _ms(*match.group(5, 6))
    if match := re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)([KMGTP]?)B read", text):
        result["requests"] = int(match.group(1))
        result["duration_s"] = round(_ms(match.group(2), match.group(3)) / 1000, 3)
        result["bytes_read"] = int(float(match.group(4)) * _SIZE_UNITS[match.group(5)])
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        result["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, match.groups()),
                                           strict=True))
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        result["non_2xx_3xx"] = int(match.group(1))
    if match := re.search(r"Requests/sec:\s+([\d.]+)", text):
        result["requests_per_sec"] = float(match.group(1))
    missing = [key for key in ("requests", "requests_per_sec") if key not in result]
    missing += [f"latency {p}" for p in ("p50", "p99") if p not in result["latency_ms"]]
    if missing:
        raise BenchError(f"could not read {', '.join(missing)} from wrk's output:\n{text}")
    result["errors"] = sum(result["socket_errors"].values()) + result["non_2xx_3xx"]
    return result


def run_wrk(url: str, *, threads: int, connections: int, duration: float, timeout: float = 5,
            headers: dict[str, str] | None = None) -> dict:
    """Drive url with wrk for `duration` seconds (sending `headers` with every request) and return parse_wrk's
    dict plus the raw output."""
    cmd = [_TOOL_PATHS.get("wrk", "wrk"), "--latency", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s",
           f"--timeout={timeout:g}s", url]
    for name, value in (headers or {}).items():
        cmd[1:1] = ["-H", f"{name}: {value}"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    except subprocess.TimeoutExpired:
        raise BenchError(f"wrk did not finish: {' '.join(cmd)}") from None
    if done.returncode != 0:
        raise BenchError(f"wrk failed (exit {done.returncode}): {' '.join(cmd)}\n{done.stdout}{done.stderr}")
    result = parse_wrk(done.stdout)
    result["raw"] = done.stdout
    return result


_WRK_P95_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("P95-US %d\\n", latency:percentile(95)))
end
"""


def run_wrk_script(tool: str, url: str, lua: str, script: Path, *, connections: int, duration: float,
                   threads: int = 2, timeout: float = 10) -> dict:
    """Drive url with wrk running the Lua `request` function in `lua` (written to `script`), and return parse_wrk's
    dict with the p95 that the plain output lacks (a `done` hook prints it) and the raw output."""
    script.write_text(lua + _WRK_P95_DONE)
    cmd = [tool, "--latency", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", f"--timeout={timeout:g}s",
           "-s", str(script), url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk failed: {done.stdout}{done.stderr}")
    result = parse_wrk(done.stdout)
    for line in done.stdout.splitlines():
        if line.startswith("P95-US "):
            result["latency_ms"]["p95"] = round(int(line.split()[1]) / 1000, 2)
    result["raw"] = done.stdout
    return result


# --- facts and results -----------------------------------------------------------------------------------
def tool_version(cmd: list[str], pattern: str) -> str:
    """The first match of pattern in the command's stdout+stderr ('?' when it cannot be read)."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    match = re.search(pattern, done.stdout + done.stderr)
    return match.group(1) if match else "?"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def machine_info() -> dict:
    """Facts a reader needs to compare runs: date, CPU, memory, load, OS, Python."""
    def proc_fact(path: str, pattern: str) -> str | None:
        try:
            match = re.search(pattern, Path(path).read_text())
        except OSError:
            return None
        return match.group(1).strip() if match else None

    mem_kb = proc_fact("/proc/meminfo", r"MemTotal:\s*(\d+) kB")
    return {
        "date": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": proc_fact("/proc/cpuinfo", r"model name\s*:\s*(.+)") or "?",
        "memory": f"{int(mem_kb) / 1024**2:.1f} GiB" if mem_kb else "?",
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def write_results(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)  # a reader never sees a half-written file
    return path


def percentile(values, p: float) -> float:
    """The p-th percentile of `values`: the sample at rank round(p/100 × (n−1)) of the sorted values (no
    interpolation, so every figure reported is a latency that was measured)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def format_table(columns: list[str], rows: list[list]) -> str:
    """A Markdown table (readable in a terminal, pasteable into docs/benchmarks.md)."""
    cells = [[str(c) for c in columns]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(cells[0]), separator, *(line(row) for row in cells[1:])])


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def run_main(main) -> None:
    """Run a benchmark's main(), turning BenchError into a clear message and the documented exit code.

    SIGTERM (run_all's time limit, a CI cancel) raises SystemExit, so `finally` blocks stop the servers.
    """
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.stdout.reconfigure(line_buffering=True)  # progress and errors in order when output goes to a file or CI
    try:
        code = main()
    except MissingTool as exc:
        print(f"SKIPPED: {exc}", file=sys.stderr)
        code = EXIT_MISSING_TOOL
    except BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def fresh_postgres(url: str) -> str:
    """Drop and create the benchmark's own PostgreSQL database named in `url` (loopback, trust auth), so every run
    starts empty. Never a shared one: the name must start with toki_ (it is dropped)."""
    import psycopg

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    if not name.startswith("toki_"):
        raise BenchError("the benchmark database name must start with toki_ (it is dropped)")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url
