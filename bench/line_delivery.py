"""LINE delivery of one evacuation order to 50,000 subscribers (issue 5): from the Alert committed to the last
multicast accepted, with real worker processes and the local LINE server answering each request in 50 ms and
enforcing LINE's published limit of 200 multicast requests per second (429 beyond it).

A temporary SQLite database (migrate; the Sado profile and personas; N subscribers spread over the ten districts,
a quarter for the whole island, a fifth in English), `manage.py run_worker` processes already running and
`notify_sweep --loop` (with `events_sweep --loop`), then alice issues a Level 4 order for every district through the
real action. Its on-commit hook enqueues notify's delivery of the "alerts.alert_published" event; a worker plans
(one short transaction: Notification and batches of 500 with their recipients and retry keys; then the N Delivery
rows a few batches per transaction, each group enqueued for sending as it commits) while the others already send
(NOTIFY_SEND_THREADS requests in flight per worker). Figures:

    plan        commit → the first multicast attempt (planning task picked up, run, batches enqueued)
    send        first attempt → last batch accepted
    total       commit → last batch accepted (target: under 10 s)
    requests/s  multicast requests / send time, against LINE's 200/s limit

Reference in the same run: the same number of multicast requests sent straight from this process with the same
transport (line-bot-sdk) and as many threads as the workers have requests in flight (workers × threads), no
database: the floor under "send".

    .venv/bin/python bench/line_delivery.py [--subscribers 50000] [--workers 4] [--threads 4] [--latency-ms 50]
        [--database-url postgres://postgres@127.0.0.1:5432/toki_notifyperf]   # dropped and created afresh
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import REPO, format_table, fresh_postgres, machine_info, run_main, write_results

NAME = "line_delivery"
PORT = 18160


def reference(base_url: str, requests: int, threads: int) -> float:
    """Seconds to send `requests` multicasts of 500 made-up ids with the production transport, no database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toki.settings")
    import django

    django.setup()
    from toki.notify.line.transport import LineTransport

    transport = LineTransport(host=base_url, token="test-token", timeout=15)  # noqa: S106 - the local server's
    messages = [{"type": "text", "text": "参照: 佐渡市 避難指示"}]

    def one(_):
        ids = ["U" + uuid.uuid4().hex for _ in range(500)]
        result = transport.send(ids, messages, retry_key=str(uuid.uuid4()))
        while result.outcome.value == "retry":  # 429 from the rate limit: wait a little, same key
            time.sleep(0.05)
            result = transport.send(ids, messages, retry_key=str(uuid.uuid4()))
        return result.outcome.value

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(one, range(requests)))
    assert all(o == "accepted" for o in outcomes), outcomes
    return time.monotonic() - started


def wait_for_warm_workers(log: Path, workers: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if text.count("worker warmed up") >= workers:
            return
        time.sleep(0.5)
    raise TimeoutError("the workers did not start")



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="NOTIFY_SEND_THREADS of each worker")
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (dropped and created); default SQLite")
    args = parser.parse_args()
    if args.database_url:
        fresh_postgres(args.database_url)

    from toki.notify.line.localserver_process import LocalLineProcess
    from toki.notify.tests.broadcast_scenario import Scenario

    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="toki-bench-line-") as workdir, \
            LocalLineProcess(PORT, latency_ms=args.latency_ms, line_rate_limits=True) as line:
        scenario = Scenario(Path(workdir), line_url=line.base_url, lease_seconds=30, database_url=args.database_url,
                            extra_env={"NOTIFY_SEND_THREADS": str(args.threads), "LOG_LEVEL": "INFO"})
        prepare = time.monotonic()
        scenario.migrate()
        scenario.seed(args.subscribers, order=False)
        try:
            for _ in range(args.workers):
                scenario.start_worker()
            scenario.start_sweep(interval=2)
            # As in production, the workers are up and polling, the LINE SDK and URLconf imported (seconds each on
            # a loaded machine): wait for each worker's "warmed up" line, then a little more.
            wait_for_warm_workers(Path(workdir) / "worker.log", args.workers)
            time.sleep(2)
            seeded = scenario.seed(0)
            seeded["subscribers"] = args.subscribers
            prepare_s = time.monotonic() - prepare
            final = scenario.wait_until_done(timeout=300)
        finally:
            scenario.stop_all()
        stats = line.client.stats()
        batches = sum(final["batches"].values())
        counts = line.client.delivery_counts()
        reference_s = reference(line.base_url, batches, args.workers * args.threads)
    load_after = [round(x, 2) for x in os.getloadavg()]

    committed, first, last = seeded["committed_at"], final["first_attempt_at"], final["last_finished_at"]
    total_s, plan_s, send_s = last - committed, first - committed, last - first
    rate = batches / send_s if send_s > 0 else float("inf")
    duplicates = sum(1 for n in counts.values() if n != 1)
    rows = [
        ["subscribers", args.subscribers],
        ["database", "PostgreSQL" if args.database_url else "SQLite"],
        ["workers (run_worker processes) × send threads", f"{args.workers} × {args.threads}"],
        ["multicast requests (batches of ≤ 500)", batches],
        ["attempts (incl. retries after 429)", final["attempts"]],
        ["429 answers (rate limit)", stats.get("rate_limited", 0)],
        ["plan: commit → first multicast", f"{plan_s:.2f} s"],
        ["send: first → last accepted", f"{send_s:.2f} s"],
        ["**total: commit → last accepted**", f"**{total_s:.2f} s** (target < 10 s)"],
        ["requests/s during send", f"{rate:.0f} ({rate / 200:.0%} of LINE's 200/s)"],
        ["reference: same requests, transport only, no DB", f"{reference_s:.2f} s ({batches / reference_s:.0f}/s)"],
        ["recipients received exactly once", f"{len(counts) - duplicates} of {args.subscribers}"],
    ]
    print(f"\nLINE delivery, {args.subscribers} subscribers, server latency {args.latency_ms:.0f} ms "
          f"({machine['cores']} cores, {machine['cpu']}; preparation {prepare_s:.0f} s; load average "
          f"{machine['load_average_1_5_15']} before, {load_after} after)\n")
    print(format_table(["figure", "value"], rows))
    data = {"name": NAME, "machine": machine, "args": vars(args), "batches": batches, "final": final,
            "server": stats, "plan_s": plan_s, "send_s": send_s, "total_s": total_s, "requests_per_s": rate,
            "reference_s": reference_s, "duplicates": duplicates, "received": len(counts), "load_after": load_after}
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    ok = duplicates == 0 and len(counts) == args.subscribers and final["deliveries"] == {
        "accepted": args.subscribers}
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
