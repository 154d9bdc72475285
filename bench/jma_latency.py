"""JMA feed → stored telegram latency (official warnings issue, item 3): how long after a telegram appears in the
feed is its Telegram row committed, and (when the state engine exists) its Alert row.

A local stand-in for JMA's PULL server (toki/alerts/tests/jma_feed_server.py) serves an Atom feed; the real
poller runs as in production (`manage.py poll_jma --loop`, a subprocess) against a temporary SQLite database
(migrate + seed_demo, the Sado demo), with the database task worker (`manage.py run_worker`) beside it. The
script publishes Sado telegrams one at a time (copies of the real Sado-bearing samples under distinct URLs, at a
random moment of the poll interval) and watches the database, read-only, every few milliseconds:

    appear → row    from the moment the entry is in the feed to the moment the Telegram row is visible
                    (includes waiting for the next poll: up to --interval; 60 s in production)
    poll → row      from the poller's GET of the feed that lists it to the row: the poller's own work
                    (feed, telegram download, parse, relevance, commit). Target: under 2 s.
    poll → alert    to the Alert row, made by the worker's process_telegram (django-tasks-db polls every 0.5 s)

Reference in the same run: the same telegrams downloaded and parsed in this process (toki.alerts.feeds.http.fetch
+ parse_telegram), the floor under "poll → row"; the ratio is what storing, the database and the second process
cost on top.

    .venv/bin/python bench/jma_latency.py [--telegrams 20] [--interval 1] [--pollers 1] [--others 0]
                                          [--latency 0] [--seed 7]

--pollers 2 runs two pollers at once (as two overlapping deployments would): one row per telegram, and the
summary says how many times each telegram was downloaded (1: the second poller skipped the feed).
--others N publishes N telegrams of elsewhere (real non-Sado samples) in the same feed update, just before each
Sado one, as a busy day's national feed would: the poller fetches them first (`updated` order).
--latency S makes the stand-in server wait S seconds before each answer (a network round trip to JMA).
"""

import argparse
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
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
    write_results,
)

if str(REPO) not in sys.path:  # standalone runs (python bench/jma_latency.py) import the project too
    sys.path.insert(0, str(REPO))

from toki.alerts.feeds.http import fetch
from toki.alerts.jma import parse_telegram
from toki.alerts.tests.jma_feed_server import SAMPLES, FeedServer

NAME = "jma_latency"
TARGET_POLL_TO_ROW_S = 2.0
FEED = "/developer/xml/feed/extra.xml"
LONG_FEED = "/developer/xml/feed/extra_l.xml"
FEED_WINDOW = 10  # entries listed in the feed (JMA's high-frequency feed: at least the last 10 minutes)
WAIT_S = 30  # for one telegram's row (and alert) before the run is declared failed
# The Sado-bearing samples (relevance test over all 546 with profiles/sado.json): 通常 earthquakes and tsunami
# warnings, and the tsunami drill series.
SADO_SAMPLES = (
    "32-35_06_03_240613_VXSE53.xml", "32-35_06_04_240613_VXSE53.xml", "32-35_06_05_240613_VXSE53.xml",
    "32-35_07_06_240613_VXSE53.xml", "32-35_07_07_240613_VXSE53.xml", "32-39_11_05_240613_VXSE53.xml",
    "32-39_11_13_250206_VTSE41.xml", "32-39_12_02_250206_VTSE41.xml", "32-39_12_03_250206_VTSE51.xml",
    "32-39_12_06_250206_VTSE51.xml", "32-39_12_07_250206_VTSE41.xml", "32-39_12_08_250206_VTSE51.xml",
    "32-39_12_10_250206_VTSE51.xml", "32-39_12_11_250206_VTSE51.xml", "32-39_12_12_250206_VTSE51.xml",
    "32-39_12_13_250206_VTSE41.xml", "32-39_12_14_250206_VTSE51.xml", "38_01_01_250710_VTSE51.xml",
    "38_02_01_250710_VTSE51.xml",
)
OTHER_SAMPLES = (  # elsewhere in Japan: warnings, landslide alerts, river forecasts, earthquake reports
    "15_11_01_150916_VPWW54.xml", "15_12_01_161130_VPWW53.xml", "17_03_01_190529_VXWW50.xml",
    "16_02_01_220728_VXKOii.xml", "15_15_01_220314_VPWW54.xml", "32-35_07_01_100915_VXSE51.xml",
    "19_01_01_091210_VPHW50.xml", "15_17_01_250123_VPWW54.xml", "17_04_01_250630_VXWW50.xml",
    "18_03_01_190412_VPOA50.xml",
)
_CODE = re.compile(r"_(V[A-Z]{3}(?:\d\d|ii))\.xml$")
_POLL_LINE = re.compile(r"poll feed=\S+ status=ok http=200 entries=\d+ new=[1-9]\d* .* ms=(\d+)")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--telegrams", type=int, default=20, help="telegrams measured (default 20)")
    parser.add_argument("--interval", type=float, default=1.0, help="poll_jma --interval in seconds (default 1)")
    parser.add_argument("--pollers", type=int, default=1, help="pollers running at once (default 1)")
    parser.add_argument("--others", type=int, default=0,
                        help="non-Sado telegrams published with each Sado one, before it (default 0)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds the stand-in server waits before each answer (default 0)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the publishing moments")
    return parser.parse_args(argv)


def app_env(tmp: Path) -> dict[str, str]:
    return isolated_app_env(tmp, LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")


class Watcher(threading.Thread):
    """Reads the database (read-only, WAL) in a tight loop and notes when each Telegram and Alert row appears."""

    def __init__(self, db_path: Path, with_alerts: bool):
        super().__init__(daemon=True, name="db-watcher")
        self.db_path = db_path
        self.with_alerts = with_alerts
        self.telegram_seen: dict[str, tuple[float, int]] = {}  # url → (seen at, telegram id)
        self.alert_seen: dict[int, float] = {}  # telegram id → seen at
        self.stop = threading.Event()
        self.error: Exception | None = None

    def run(self):
        try:
            db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5, check_same_thread=False)
            last_telegram = last_alert = 0
            while not self.stop.is_set():
                now = time.time()
                for pk, url in db.execute("SELECT id, url FROM alerts_telegram WHERE id > ? ORDER BY id",
                                          (last_telegram,)):
                    self.telegram_seen[url] = (now, pk)
                    last_telegram = pk
                if self.with_alerts:
                    for pk, telegram_id in db.execute("SELECT id, telegram_id FROM alerts_alert WHERE id > ? "
                                                      "ORDER BY id", (last_alert,)):
                        if telegram_id is not None:
                            self.alert_seen[telegram_id] = now
                        last_alert = pk
                db.rollback()  # end the read transaction so the next query sees new commits
                time.sleep(0.003)
            db.close()
        except Exception as exc:  # reported by the main thread
            self.error = exc

    def wait_for(self, predicate, what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while not predicate():
            if self.error is not None:
                raise BenchError(f"the database watcher failed: {self.error}")
            if time.monotonic() > deadline:
                raise BenchError(f"{what} did not appear within {WAIT_S} s")
            time.sleep(0.002)


def state_engine_present(env: dict[str, str]) -> bool:
    """Whether toki.alerts.actions.state.apply_telegram exists and imports (it is written in parallel)."""
    try:
        run_checked([sys.executable, "manage.py", "shell", "-c",
                     "from toki.alerts.actions.state import apply_telegram"], what="import apply_telegram", env=env)
    except BenchError:
        return False
    return True


def telegram_names(count: int) -> list[tuple[str, str]]:
    """(sample, published file name): JMA's naming, <time>_0_<code>_<office>.xml, one distinct URL each."""
    start = datetime(2025, 6, 30, 3, 0, tzinfo=UTC)
    names = []
    for i in range(count + 1):  # the first one warms the processes up and is not measured
        sample = SADO_SAMPLES[i % len(SADO_SAMPLES)]
        code = _CODE.search(sample).group(1)
        stamp = (start + timedelta(minutes=i)).strftime("%Y%m%d%H%M%S")
        names.append((sample, f"{stamp}_0_{code}_bench{i:03d}.xml"))
    return names


def prepare(env: dict[str, str]) -> dict[str, float]:
    timings = {}
    for step in (["migrate", "--no-input"], ["seed_demo"]):
        started = time.monotonic()
        run_checked([sys.executable, "manage.py", *step], what=f"manage.py {' '.join(step)}", env=env)
        timings[step[0]] = round(time.monotonic() - started, 2)
    return timings


def measure(args, server: FeedServer, watcher: Watcher, pollers, logs) -> list[dict]:
    rng = random.Random(args.seed)
    entries = []
    rows = []
    window = FEED_WINDOW * (args.others + 1)
    for i, (sample, name) in enumerate(telegram_names(args.telegrams)):
        time.sleep(rng.uniform(0, args.interval))  # publish at a random moment of the poll interval
        for proc, log in zip(pollers, logs, strict=True):
            if proc.poll() is not None:
                raise BenchError(f"poll_jma exited with {proc.returncode}:\n{log_tail(log)}")
        updated = datetime(2025, 6, 30, 3, 0, tzinfo=UTC) + timedelta(minutes=i)
        others = []
        for k in range(args.others):
            other = OTHER_SAMPLES[(i + k) % len(OTHER_SAMPLES)]
            other_name = f"{name[:14]}_{k + 1}_{_CODE.search(other).group(1)}_other{i:03d}.xml"
            others.append(server.telegram(other, updated - timedelta(seconds=args.others - k), name=other_name,
                                          delay=args.latency))
        entry = server.telegram(sample, updated, name=name, delay=args.latency)
        entries = [*entries, *others, entry][-window:]
        server.publish_feed(FEED, entries, delay=args.latency)
        published_at = server.resource(FEED).published_at
        watcher.wait_for(lambda link=entry.link: link in watcher.telegram_seen, f"the Telegram row of {name}")
        row_at, telegram_id = watcher.telegram_seen[entry.link]
        alert_at = None
        if watcher.with_alerts:
            watcher.wait_for(lambda pk=telegram_id: pk in watcher.alert_seen, f"the Alert of {name}")
            alert_at = watcher.alert_seen[telegram_id]
        feed_path = server.url(FEED).removeprefix(server.base_url)
        polls = [r.at for r in server.requests if r.path == feed_path and r.at >= published_at and r.status == 200]
        if not polls:
            raise BenchError(f"no poll of the feed saw {name}")
        seen_at = min(polls)
        if i == 0:
            continue  # warm-up
        rows.append({
            "telegram": name,
            "sample": sample,
            "appear_to_row_s": round(row_at - published_at, 4),
            "poll_wait_s": round(seen_at - published_at, 4),
            "poll_to_row_s": round(row_at - seen_at, 4),
            "poll_to_alert_s": round(alert_at - seen_at, 4) if alert_at else None,
            "row_to_alert_s": round(alert_at - row_at, 4) if alert_at else None,
            "downloads": server.hits(entry.link),
        })
    return rows


def reference(server: FeedServer, rows: list[dict]) -> list[float]:
    """Download and parse each measured telegram in this process: the floor under poll → row."""
    times = []
    for row in rows:
        url = server.url(f"/developer/xml/data/{row['telegram']}")
        started = time.perf_counter()
        parse_telegram(fetch(url, max_bytes=20 * 1024 * 1024).body, source_name=url)
        times.append(time.perf_counter() - started)
    return times


def stats(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"median_s": round(statistics.median(ordered), 4), "worst_s": round(ordered[-1], 4),
            "p90_s": round(ordered[max(0, int(len(ordered) * 0.9) - 1)], 4), "n": len(ordered)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not SAMPLES.is_dir():
        raise BenchError(f"JMA samples not found at {SAMPLES}")
    machine = machine_info()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="toki-bench-jma-") as tmp_name:
        tmp = Path(tmp_name)
        env = app_env(tmp)
        print(f"preparing the app in {tmp} ...", flush=True)
        prepare_timings = prepare(env)
        with_alerts = state_engine_present(env)
        server = FeedServer().start()
        try:
            rows, exit_codes, poller_logs, worker_tail = run(args, tmp, env, server, with_alerts)
            reference_s = reference(server, rows)
        finally:
            server.stop()
    return report(args, machine, prepare_timings, rows, reference_s, poller_logs, worker_tail, exit_codes,
                  with_alerts, time.monotonic() - started)


def run(args, tmp: Path, env: dict[str, str], server: FeedServer, with_alerts: bool):
    """Start the worker and the poller(s), measure, stop them with SIGTERM; (rows, exit codes, logs, worker log)."""
    server.publish_feed(FEED, [])
    server.publish_feed(LONG_FEED, [])
    worker_log = tmp / "worker.log"
    logs = [tmp / f"poll_jma-{n}.log" for n in range(args.pollers)]
    watcher = Watcher(tmp / "var" / "toki.sqlite3", with_alerts)
    pollers, worker = [], None
    try:
        worker = start_process([sys.executable, "manage.py", "run_worker"], log_path=worker_log, env=env)
        for log in logs:
            pollers.append(start_process(
                [sys.executable, "manage.py", "poll_jma", "--loop", "--interval", f"{args.interval:g}",
                 "--second", "0", "--feed", server.url(FEED), "--long-feed", server.url(LONG_FEED)],
                log_path=log, env=env))
        deadline = time.monotonic() + 60
        while server.hits(FEED) < args.pollers:  # started, back-filled from the (empty) long feed, polled
            if time.monotonic() > deadline or any(p.poll() is not None for p in pollers):
                raise BenchError(f"poll_jma did not poll the feed:\n{log_tail(logs[0])}")
            time.sleep(0.05)
        watcher.start()
        print(f"publishing {args.telegrams} Sado telegrams one by one; poll_jma --loop --interval "
              f"{args.interval:g} x{args.pollers}; Alert rows {'watched' if with_alerts else 'not measured'}",
              flush=True)
        rows = measure(args, server, watcher, pollers, logs)
    finally:
        watcher.stop.set()
        for proc in pollers:
            stop_process(proc)  # SIGTERM: stopping cleanly is part of the contract, checked in report()
        stop_process(worker)
    exit_codes = [proc.returncode for proc in pollers]
    poller_logs = "\n".join(log.read_text(errors="replace") for log in logs)
    return rows, exit_codes, poller_logs, log_tail(worker_log, 15)


def report(args, machine, prepare_timings, rows, reference_s, poller_logs, worker_tail, exit_codes, with_alerts,
           elapsed) -> int:
    metrics = {
        "appear_to_row": stats([r["appear_to_row_s"] for r in rows]),
        "poll_wait": stats([r["poll_wait_s"] for r in rows]),
        "poll_to_row": stats([r["poll_to_row_s"] for r in rows]),
        "reference_fetch_parse": stats(reference_s),
    }
    if with_alerts:
        metrics["poll_to_alert"] = stats([r["poll_to_alert_s"] for r in rows])
        metrics["row_to_alert"] = stats([r["row_to_alert_s"] for r in rows])
    poll_ms = [int(m) for m in _POLL_LINE.findall(poller_logs)]
    if poll_ms:
        metrics["poller_reported_poll"] = stats([ms / 1000 for ms in poll_ms])
    labels = {
        "appear_to_row": "appear in feed → Telegram row",
        "poll_wait": "  of which: waiting for the next poll",
        "poll_to_row": "poll that sees it → Telegram row",
        "poller_reported_poll": "  poll duration logged by poll_jma",
        "reference_fetch_parse": "reference: fetch + parse in-process",
        "poll_to_alert": "poll that sees it → Alert row",
        "row_to_alert": "  Telegram row → Alert row (worker)",
    }
    order = ["appear_to_row", "poll_wait", "poll_to_row", "poller_reported_poll", "reference_fetch_parse",
             "poll_to_alert", "row_to_alert"]
    table = [[labels[key], f"{metrics[key]['median_s'] * 1000:.0f}", f"{metrics[key]['p90_s'] * 1000:.0f}",
              f"{metrics[key]['worst_s'] * 1000:.0f}"] for key in order if key in metrics]
    print()
    print(format_table(["interval", "median ms", "p90 ms", "worst ms"], table))
    worst = metrics["poll_to_row"]["worst_s"]
    met = worst < TARGET_POLL_TO_ROW_S
    ratio = metrics["poll_to_row"]["median_s"] / metrics["reference_fetch_parse"]["median_s"]
    downloads = sorted({r["downloads"] for r in rows})
    clean_stop = all(code == 0 for code in exit_codes) and poller_logs.count("INFO toki.alerts.poll stopped") == len(
        exit_codes)
    print(f"\n{len(rows)} telegrams; poll → row median is {ratio:.1f}× the in-process fetch + parse of the same "
          f"telegram. Target poll → row < {TARGET_POLL_TO_ROW_S:g} s: {'met' if met else 'NOT met'} "
          f"(worst {worst * 1000:.0f} ms). Downloads per telegram: {downloads}. Poller stopped cleanly on SIGTERM: "
          f"{'yes' if clean_stop else 'NO'} (exit {exit_codes}).")
    print(f"(poll_jma --loop --interval {args.interval:g} x{args.pollers}, {args.others} other telegram(s) before "
          f"each, server latency {args.latency * 1000:g} ms, SQLite WAL, django-tasks-db worker; "
          f"{machine['cores']} cores, load {machine['load_average_1_5_15']}; {elapsed:.0f} s in all)")
    ok = clean_stop and len(rows) == args.telegrams
    if not ok:
        print(f"\nlast lines of the worker log:\n{worker_tail}")
    data = {
        "benchmark": NAME,
        "issue": "official warnings, item 3",
        "ok": ok,
        "target": {"poll_to_row_worst_s": TARGET_POLL_TO_ROW_S, "met": met},
        "machine": machine,
        "versions": {"django": package_version("django"), "django-tasks-db": package_version("django-tasks-db")},
        "parameters": {"telegrams": args.telegrams, "interval_s": args.interval, "pollers": args.pollers,
                       "others_per_telegram": args.others, "server_latency_s": args.latency,
                       "seed": args.seed, "feed_window": FEED_WINDOW * (args.others + 1),
                       "database": "SQLite (temporary, seed_demo)", "alerts_measured": with_alerts},
        "prepare_s": prepare_timings,
        "metrics": metrics,
        "poll_to_row_over_reference": round(ratio, 2),
        "downloads_per_telegram": downloads,
        "poller_exit_codes": exit_codes,
        "telegrams": rows,
        "elapsed_s": round(elapsed, 1),
    }
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
