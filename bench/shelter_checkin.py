"""Shelter check-in (issue 7): latency of check-in requests through the sync endpoint at a fixed rate, under the
production server setup, on SQLite and on PostgreSQL.

    .venv/bin/python bench/shelter_checkin.py [--rate 50] [-d 20] [--households 1500] [--engines sqlite,postgres]

Each request is one `check_in` event (POST /api/v1/shelters/openings/{id}/events, session + CSRF, as the tablet
sends it) for a household registered beforehand. Requests are sent open-loop at `--rate` per second for `-d`
seconds by a thread pool; latency is measured from the moment a request was due (so a late generator or a slow
server both count: no coordinated omission). Target: p95 < 50 ms. Every answer must be HTTP 200 with the event
"applied", and the opening's occupancy must equal the number of check-ins afterwards.

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
    parser.add_argument("--households", type=int, default=1500, help="households registered beforehand")
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


def login(port: int) -> dict:
    """Log carol in as the tablet does; return the cookies (session, csrftoken)."""
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
    body = urllib.parse.urlencode({"username": "carol", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf})
    conn.request("POST", "/accounts/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
        "Referer": f"http://127.0.0.1:{port}/accounts/login/"})
    response = conn.getresponse()
    response.read()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            cookies.load(value)
    if "sessionid" not in cookies:
        raise BenchError(f"login as carol failed (HTTP {response.status})")
    return {name: morsel.value for name, morsel in cookies.items()}


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, port, cookies, opening_id):
        self.port, self.opening_id = port, opening_id
        self.headers = {"Content-Type": "application/json", "X-CSRFToken": cookies["csrftoken"],
                        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                        "Referer": f"http://127.0.0.1:{port}/shelter-ops/tablet/"}
        self.local = threading.local()

    def post(self, household_id: str) -> tuple[int, str]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        body = json.dumps({"device_id": "bench", "events": [{
            "id": str(uuid.uuid4()), "type": "check_in", "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                                                                      time.gmtime()),
            "payload": {"household_id": household_id}}]})
        try:
            conn.request("POST", f"/api/v1/shelters/openings/{self.opening_id}/events", body=body,
                         headers=self.headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.local.conn = None
            return 0, "connection"
        if response.status != 200:
            return response.status, data[:200].decode(errors="replace")
        return 200, json.loads(data)["results"][0]["status"]


def load(client: Client, households: list[str], rate: float, duration: float) -> list[dict]:
    """Open loop: request i is due at start + i/rate; latency counts from when it was due."""
    count = int(rate * duration)
    if count > len(households):
        raise BenchError(f"{count} check-ins need as many households; raise --households")
    results = [None] * count
    start = time.perf_counter() + 0.2

    def one(i):
        due = start + i / rate
        status, outcome = client.post(households[i])
        results[i] = {"latency_ms": (time.perf_counter() - due) * 1000, "status": status, "outcome": outcome}

    with ThreadPoolExecutor(max_workers=32) as pool:
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    return results


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_engine(engine: str, args) -> dict:
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
            print(f"[{engine}] preparing: migrate, seed_demo, open_demo_shelter, {args.households} households ...")
            manage(env, "compile_translations")
            manage(env, "migrate", "--no-input")
            manage(env, "seed_demo")
            manage(env, "open_demo_shelter")
            manage(env, "collectstatic", "--no-input")
            setup = json.loads(manage(env, "shell", "-c", SETUP.format(n=args.households)).strip().splitlines()[-1])
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
            warm = int(args.rate * args.warmup)
            print(f"[{engine}] warm-up {args.warmup:g}s, then {args.rate:g}/s for {args.duration:g}s ...")
            load(client, households[:warm], args.rate, args.warmup)
            results = load(client, households[warm:], args.rate, args.duration)
            if gunicorn.poll() is not None:
                raise BenchError(f"gunicorn exited during the run:\n{log_tail(log)}")
            check = manage(env, "shell", "-c", "from toki.shelters.models import ShelterOpening as O; "
                           f"print(O.objects.get(pk={setup['opening']}).people_in)")
            people_in = int(check.strip().splitlines()[-1])
        finally:
            stop_process(gunicorn)
            if engine == "postgres":
                pg_database(args.pg_url, "drop")
    latencies = [r["latency_ms"] for r in results]
    applied = sum(r["outcome"] == "applied" for r in results)
    errors = [r for r in results if r["status"] != 200 or r["outcome"] != "applied"]
    return {"engine": engine, "requests": len(results), "applied": applied, "errors": len(errors),
            "error_samples": errors[:5], "people_in_after": people_in, "expected_people_in": applied + warm,
            "latency_ms": {"p50": round(percentile(latencies, 50), 2), "p95": round(percentile(latencies, 95), 2),
                           "p99": round(percentile(latencies, 99), 2), "max": round(max(latencies), 2),
                           "mean": round(statistics.fmean(latencies), 2)}}


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    machine = machine_info()
    started = time.monotonic()
    runs = [run_engine(engine.strip(), args) for engine in args.engines.split(",") if engine.strip()]
    rows = [[r["engine"], r["requests"], r["latency_ms"]["p50"], r["latency_ms"]["p95"], r["latency_ms"]["p99"],
             r["latency_ms"]["max"], r["errors"], f"{r['people_in_after']}/{r['expected_people_in']}",
             "yes" if r["latency_ms"]["p95"] < TARGET_P95_MS else "NO"] for r in runs]
    print()
    print(format_table(["database", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
                        "occupancy ok", f"p95 < {TARGET_P95_MS:g} ms"], rows))
    print(f"\n({args.rate:g} check-ins/s open loop for {args.duration:g}s after {args.warmup:g}s warm-up; one event "
          f"per request; {machine['cores']} cores; {time.monotonic() - started:.0f} s in all)")
    ok = all(r["errors"] == 0 and r["people_in_after"] == r["expected_people_in"] for r in runs)
    data = {"benchmark": NAME, "issue": 7, "ok": ok, "target_p95_ms": TARGET_P95_MS, "machine": machine,
            "parameters": vars(args), "versions": {"gunicorn": package_version("gunicorn"),
                                                   "django": package_version("django")}, "runs": runs}
    print(f"results: {write_results(NAME, data)}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
