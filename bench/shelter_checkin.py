"""Shelter check-in (issue 7): latency of check-in requests through the sync endpoint at a fixed rate, under the
production server setup, on SQLite and on PostgreSQL.

    .venv/bin/python bench/shelter_checkin.py [--rate 50] [-d 20] [--repeat 3] [--engines sqlite,postgres]

Each request is one `check_in` event (POST /api/v1/shelters/openings/{id}/events, session + CSRF, as the tablet
sends it) for a household registered beforehand. Requests are sent open-loop at `--rate` per second for `-d`
seconds by a thread pool; latency is measured from the moment a request was due (so a late generator or a slow
server both count: no coordinated omission). Target: p95 < 50 ms. Every answer must be HTTP 200 with the event
"applied", and the opening's occupancy must equal the number of check-ins afterwards.

The reference, in the same run and through the same server and load generator: GET /api/v1/health at the same
rate, a request that goes through the whole middleware stack but does no database work. Its latency is the floor
this machine and this generator give; the check-in's latency above it is the check-in's own. `--repeat` measures
the check-in load several times on the same server (fresh households each time) and reports every run: on a
shared 2-core machine one run's tail says little about the next.

The app runs as in production (gunicorn with deploy/gunicorn.conf.py, TOKI_DEBUG=0, a random SECRET_KEY), with
a fresh database per engine (migrate + seed_demo + open_demo_shelter + the households), on 127.0.0.1 ports
18410/18411 (the shelter-server range). PostgreSQL: DATABASE_URL of --pg-url, a database created and dropped here.
"""

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

from _common import (
    REPO,
    BenchError,
    format_table,
    isolated_app_env,
    log_tail,
    machine_info,
    package_version,
    percentile,
    run_checked,
    run_main,
    start_process,
    stop_process,
    wait_http,
    write_results,
)

NAME = "shelter_checkin"
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"
PORTS = {"sqlite": 18410, "postgres": 18411}
TARGET_P95_MS = 50.0
DEMO_PASSWORD = "sado-demo-2026"  # noqa: S105 - the demo persona of seed_demo
SETUP = """
import json, uuid
from toki.shelters.actions.sync import apply_events, new_event
from toki.shelters.models import ShelterOpening
opening = ShelterOpening.objects.exclude(status="closed").latest("pk")
ids = []
for start in range(0, {n}, 200):
    events = []
    for i in range(start, min(start + 200, {n})):
        hid = str(uuid.uuid4())
        ids.append(hid)
        events.append(new_event("register_household", {{"household_id": hid, "members": [
            {{"id": str(uuid.uuid4()), "name_kana": "ベンチ " + str(i), "birth_date": "1950-01-01"}}]}}))
    apply_events(acting_user=None, opening=opening, device_id="bench-setup", events=events)
print(json.dumps({{"opening": opening.pk, "households": ids}}))
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50, help="requests per second (default 50)")
    parser.add_argument("-d", "--duration", type=float, default=20, help="seconds of load (default 20)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--households", type=int, default=0,
                        help="households registered beforehand (default: as many as the runs check in)")
    parser.add_argument("--repeat", type=int, default=1, help="measured check-in runs per engine (default 1)")
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/toki_shelter_server_bench")
    return parser.parse_args(argv)


def manage(env, *args, timeout=600) -> str:
    return run_checked([sys.executable, "manage.py", *args], what=f"manage.py {' '.join(args[:2])}", env=env,
                       timeout=timeout)


def pg_database(url: str, action: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')


def login(port: int, username: str = "carol") -> dict:
    """Log a demo persona (carol) in as the tablet does; return the cookies (session, csrftoken)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    response.read()
    cookies = SimpleCookie()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            cookies.load(value)
    if "csrftoken" not in cookies:
        raise BenchError(f"the login page set no csrftoken cookie (HTTP {response.status})")
    csrf = cookies["csrftoken"].value
    body = urllib.parse.urlencode({"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf})
    conn.request("POST", "/accounts/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
        "Referer": f"http://127.0.0.1:{port}/accounts/login/"})
    response = conn.getresponse()
    response.read()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            cookies.load(value)
    if "sessionid" not in cookies:
        raise BenchError(f"login as {username} failed (HTTP {response.status})")
    return {name: morsel.value for name, morsel in cookies.items()}


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, port, cookies, opening_id):
        self.port, self.opening_id = port, opening_id
        self.headers = {"Content-Type": "application/json", "X-CSRFToken": cookies["csrftoken"],
                        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                        "Referer": f"http://127.0.0.1:{port}/shelter-ops/tablet/"}
        self.local = threading.local()
        self.lock = threading.Lock()
        self.reconnects = 0

    def _request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        """One request on this thread's keep-alive connection. If the server had closed that connection while it
        was idle (gunicorn's keepalive), the request is sent once more on a new one, as browsers do; that is
        safe here (check-in events are idempotent) and counted in `reconnects`. Any other failure is an error."""
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            reused = conn is not None
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self.local.conn = None
                closed_while_idle = isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError,
                                                     BrokenPipeError))
                if not (closed_while_idle and reused and attempt == 1):
                    return 0, f"connection: {exc!r}".encode()
                with self.lock:
                    self.reconnects += 1
        raise AssertionError("unreachable")

    def check_in(self, household_id: str) -> tuple[int, str]:
        body = json.dumps({"device_id": "bench", "events": [{
            "id": str(uuid.uuid4()), "type": "check_in", "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                                                                      time.gmtime()),
            "payload": {"household_id": household_id}}]})
        status, data = self._request("POST", f"/api/v1/shelters/openings/{self.opening_id}/events", body,
                                     self.headers)
        if status != 200:
            return status, data[:200].decode(errors="replace")
        return 200, json.loads(data)["results"][0]["status"]

    def health(self, _item=None) -> tuple[int, str]:
        """The reference request: no session, no database."""
        status, data = self._request("GET", "/api/v1/health")
        return status, "ok" if status == 200 and json.loads(data).get("status") == "ok" else data[:200].decode()


def load(send, items: list, rate: float, duration: float) -> list[dict]:
    """Open loop: request i (send(items[i])) is due at start + i/rate; latency counts from when it was due."""
    count = int(rate * duration)
    if count > len(items):
        raise BenchError(f"{count} requests need as many items; raise --households")
    results = [None] * count
    start = time.perf_counter() + 0.2

    def one(i):
        due = start + i / rate
        status, outcome = send(items[i])
        results[i] = {"latency_ms": (time.perf_counter() - due) * 1000, "status": status, "outcome": outcome}

    with ThreadPoolExecutor(max_workers=32) as pool:
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    return results



def summary(results: list[dict], expected_outcome: str) -> dict:
    latencies = [r["latency_ms"] for r in results]
    errors = [r for r in results if r["status"] != 200 or r["outcome"] != expected_outcome]
    return {"requests": len(results), "ok": len(results) - len(errors), "errors": len(errors),
            "error_samples": errors[:5],
            "latency_ms": {"p50": round(percentile(latencies, 50), 2), "p95": round(percentile(latencies, 95), 2),
                           "p99": round(percentile(latencies, 99), 2), "max": round(max(latencies), 2),
                           "mean": round(statistics.fmean(latencies), 2)}}


def run_engine(engine: str, args) -> dict:
    per_run = int(args.rate * args.duration)
    warm = int(args.rate * args.warmup)
    households_needed = max(args.households or 0, warm + per_run * args.repeat)
    with tempfile.TemporaryDirectory(prefix=f"toki-bench-shelter-{engine}-") as tmp_name:
        tmp = Path(tmp_name)
        extra = {"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "STATIC_ROOT": str(tmp / "static"),
                 "LOG_LEVEL": "WARNING", "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{PORTS[engine]}"}
        if engine == "postgres":
            pg_database(args.pg_url, "create")
            extra["DATABASE_URL"] = args.pg_url
        env = isolated_app_env(tmp, **extra)
        gunicorn = None
        try:
            print(f"[{engine}] preparing: migrate, seed_demo, open_demo_shelter, {households_needed} households ...")
            manage(env, "compile_translations")
            manage(env, "migrate", "--no-input")
            manage(env, "seed_demo")
            manage(env, "open_demo_shelter")
            manage(env, "collectstatic", "--no-input")
            setup = json.loads(manage(env, "shell", "-c", SETUP.format(n=households_needed)).strip().splitlines()[-1])
            port = PORTS[engine]
            log = tmp / "gunicorn.log"
            gunicorn = start_process([sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind",
                                      f"127.0.0.1:{port}"], log_path=log, env=env)
            wait_http(port, gunicorn, log, "/api/v1/health")
            try:
                cookies = login(port)
            except BenchError as exc:
                raise BenchError(f"{exc}\n{log_tail(log)}") from None
            client = Client(port, cookies, setup["opening"])
            households = setup["households"]
            print(f"[{engine}] warm-up {args.warmup:g}s, reference (health) and {args.repeat} check-in run(s) of "
                  f"{args.duration:g}s at {args.rate:g}/s ...")
            load(client.check_in, households[:warm], args.rate, args.warmup)
            reference = summary(load(client.health, [None] * per_run, args.rate, args.duration), "ok")
            runs = []
            for n in range(args.repeat):
                batch = households[warm + n * per_run:warm + (n + 1) * per_run]
                runs.append(summary(load(client.check_in, batch, args.rate, args.duration), "applied"))
            if gunicorn.poll() is not None:
                raise BenchError(f"gunicorn exited during the run:\n{log_tail(log)}")
            check = manage(env, "shell", "-c", "from toki.shelters.models import ShelterOpening as O; "
                           f"print(O.objects.get(pk={setup['opening']}).people_in)")
            people_in = int(check.strip().splitlines()[-1])
        finally:
            stop_process(gunicorn)
            if engine == "postgres":
                pg_database(args.pg_url, "drop")
    applied = sum(r["ok"] for r in runs)
    return {"engine": engine, "reference": reference, "runs": runs, "people_in_after": people_in,
            "reconnects": client.reconnects,
            "expected_people_in": applied + warm,
            "worst_p95_ms": max(r["latency_ms"]["p95"] for r in runs)}


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    machine = machine_info()
    started = time.monotonic()
    engines = [run_engine(engine.strip(), args) for engine in args.engines.split(",") if engine.strip()]
    rows = []
    for e in engines:
        occupancy = f"{e['people_in_after']}/{e['expected_people_in']}"
        ref = e["reference"]
        rows.append([e["engine"], "reference: health", ref["requests"], *_latency_cells(ref), ref["errors"], "", ""])
        for n, r in enumerate(e["runs"], 1):
            rows.append([e["engine"], f"check-in run {n}", r["requests"], *_latency_cells(r), r["errors"], occupancy,
                         "yes" if r["latency_ms"]["p95"] < TARGET_P95_MS else "NO"])
    print()
    print(format_table(["database", "request", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
                        "occupancy ok", f"p95 < {TARGET_P95_MS:g} ms"], rows))
    print(f"\n({args.rate:g} requests/s open loop for {args.duration:g}s per run after {args.warmup:g}s warm-up; one "
          f"event per check-in; {machine['cores']} cores; {time.monotonic() - started:.0f} s in all)")
    for e in engines:
        if e["reconnects"]:
            print(f"[{e['engine']}] {e['reconnects']} request(s) resent on a new connection (idle one closed)")
        for r in [e["reference"], *e["runs"]]:
            for sample in r["error_samples"]:
                print(f"[{e['engine']}] error: {sample}")
    ok = all(r["errors"] == 0 for e in engines for r in [e["reference"], *e["runs"]]) and all(
        e["people_in_after"] == e["expected_people_in"] for e in engines)
    data = {"benchmark": NAME, "issue": 7, "ok": ok, "target_p95_ms": TARGET_P95_MS, "machine": machine,
            "parameters": vars(args), "versions": {"gunicorn": package_version("gunicorn"),
                                                   "django": package_version("django")}, "engines": engines}
    print(f"results: {write_results(NAME, data)}")
    return 0 if ok else 1


def _latency_cells(run: dict) -> list:
    latency = run["latency_ms"]
    return [latency["p50"], latency["p95"], latency["p99"], latency["max"]]


if __name__ == "__main__":
    run_main(main)
