"""LINE webhook (issue 5): how fast `/line/webhook` answers a signed event, and how long until the reply is sent.

The app runs as in production: gunicorn with deploy/gunicorn.conf.py, TOKI_DEBUG=0, a fresh SQLite database
(migrate + seed_demo) or an empty PostgreSQL one, the database task queue and `manage.py run_worker` processes;
replies go to the local LINE server (a separate process, each answer after --latency-ms). N signed requests, each
one postback event (`action=latest`: the reply reads the orders and warnings in force) from a new user (so each
also creates a Subscriber), are posted by C client threads. The two halves are measured apart, because on a
2-core machine workers draining the queue take the CPU the web process needs:

    answer      the webhook's HTTP answer: signature, checks, one stored event, the task enqueued (p50/p95),
                with no worker running
    handled/s   then W workers start: events handled per second, each with its reply accepted by LINE

Reference in the same run: GET /api/v1/health on the same gunicorn (a view with no database write).

    .venv/bin/python bench/line_webhook.py [--requests 400] [--clients 8] [--workers 2] [--latency-ms 20]
                                           [--database-url postgres://…/empty_database]
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (
    REPO,
    BenchError,
    format_table,
    isolated_app_env,
    machine_info,
    percentile,
    run_checked,
    run_main,
    start_process,
    stop_process,
    wait_http,
    write_results,
)

NAME = "line_webhook"
LINE_PORT, APP_PORT = 18210, 18211  # this helper's range is 18200–18249
SECRET = "bench-channel-secret-" + "0" * 16  # a made-up channel secret
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"



def timed_requests(count: int, clients: int, make_request) -> tuple[list[float], float]:
    """Run `make_request(i, connection)` count times from `clients` threads with keep-alive connections;
    returns (latencies in ms, wall seconds)."""
    local = threading.local()

    def one(i: int) -> float:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=30)
        started = time.perf_counter()
        make_request(i, local.conn)
        return (time.perf_counter() - started) * 1000

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(one, range(count)))
    return latencies, time.monotonic() - started


def health(_i: int, conn: http.client.HTTPConnection) -> None:
    conn.request("GET", "/api/v1/health", headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise BenchError(f"health answered {response.status}")


def webhook_body(user_id: str, reply_token: str) -> bytes:
    event = {"type": "postback", "mode": "active", "timestamp": int(time.time() * 1000),
             "webhookEventId": uuid.uuid4().hex.upper()[:26], "deliveryContext": {"isRedelivery": False},
             "source": {"type": "user", "userId": user_id}, "replyToken": reply_token,
             "postback": {"data": "action=latest"}}
    return json.dumps({"destination": "U" + "f" * 32, "events": [event]}).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="run_worker processes")
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    args = parser.parse_args()

    from toki.notify.line.localserver_process import LocalLineProcess

    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="toki-bench-webhook-") as workdir, \
            LocalLineProcess(LINE_PORT, latency_ms=args.latency_ms) as line:
        tmp = Path(workdir)
        env = isolated_app_env(tmp, ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", LOG_LEVEL="WARNING",
                               DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}", TOKI_TASKS="db",
                               STATIC_ROOT=str(tmp / "static"), SITE_URL="https://bousai.example.jp",
                               LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN="test-token",  # noqa: S106 - local server
                               LINE_API_BASE_URL=line.base_url, LINE_API_DATA_BASE_URL=line.base_url)
        for step in (["migrate", "--no-input"], ["seed_demo"], ["collectstatic", "--no-input"]):
            run_checked([sys.executable, "manage.py", *step], what=f"manage.py {step[0]}", env=env)
        app_log, worker_log = tmp / "gunicorn.log", tmp / "worker.log"
        gunicorn = start_process([sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF),
                                  "--bind", f"127.0.0.1:{APP_PORT}"], log_path=app_log, env=env)
        workers = []
        try:
            wait_http(APP_PORT, gunicorn, app_log, "/api/v1/health")
            timed_requests(50, args.clients, health)  # warm-up
            reference, reference_wall = timed_requests(args.requests, args.clients, health)

            users = ["U" + uuid.uuid4().hex for _ in range(args.requests)]
            bodies = [webhook_body(u, line.client.issue_reply_token(u)) for u in users]

            def post(i: int, conn: http.client.HTTPConnection) -> None:
                body = bodies[i]
                signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
                conn.request("POST", "/line/webhook", body=body, headers={
                    "Host": "127.0.0.1", "Content-Type": "application/json", "X-Line-Signature": signature})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    raise BenchError(f"webhook answered {response.status}")

            answers, wall = timed_requests(args.requests, args.clients, post)
            drain_started = time.time()
            workers = [start_process([sys.executable, "manage.py", "run_worker"], log_path=worker_log, env=env)
                       for _ in range(args.workers)]
            deadline = time.monotonic() + 300
            while len(line.client.delivery_counts()) < args.requests and time.monotonic() < deadline:
                time.sleep(0.2)
            replied = {u: line.client.deliveries(u) for u in users}
            missing = [u for u, d in replied.items() if not d]
            if missing:
                raise BenchError(f"{len(missing)} of {args.requests} replies never arrived; see {worker_log}")
            first_reply = min(d[0]["at"] for d in replied.values())
            drain = max(d[0]["at"] for d in replied.values()) - first_reply
            startup = first_reply - drain_started
            invalid = line.client.invalid_requests()
        finally:
            for process in [gunicorn, *workers]:
                stop_process(process)

    rows = [
        ["health (reference)", f"{statistics.median(reference):.1f}", f"{percentile(reference, 95):.1f}",
         f"{args.requests / reference_wall:.0f}"],
        ["webhook answer", f"{statistics.median(answers):.1f}", f"{percentile(answers, 95):.1f}",
         f"{args.requests / wall:.0f}"],
        [f"events handled and replied ({args.workers} workers)", "", "", f"{args.requests / drain:.0f}"],
    ]
    print(format_table(["what", "p50 ms", "p95 ms", "per second"], rows))
    print(f"workers: {startup:.1f} s from start to the first reply, then {drain:.1f} s for {args.requests} events")
    print(f"invalid requests at the LINE server: {len(invalid)}")
    write_results(NAME, {
        "machine": machine, "database": "postgresql" if args.database_url else "sqlite",
        "requests": args.requests, "clients": args.clients, "workers": args.workers,
        "line_latency_ms": args.latency_ms,
        "health_ms": {"p50": statistics.median(reference), "p95": percentile(reference, 95),
                      "per_second": args.requests / reference_wall},
        "webhook_ms": {"p50": statistics.median(answers), "p95": percentile(answers, 95),
                       "per_second": args.requests / wall},
        "handled_per_second": args.requests / drain, "worker_startup_s": startup, "drain_s": drain,
        "invalid_line_requests": len(invalid),
    })
    return 0 if not invalid else 1


if __name__ == "__main__":
    run_main(main)
