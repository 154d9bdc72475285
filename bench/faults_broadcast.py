"""A LINE broadcast of one evacuation order to 20,000 subscribers under faults (issue 22), in one run on one site:
no fault, one RQ worker SIGKILLed (with its work horse) while it has a LINE request open, Redis restarted without
persistence mid-broadcast (its queue lost). For each: commit → last batch accepted, and the recipients LINE
served exactly once (the local LINE server counts every recipient of every request; a re-send with the batch's
retry key is answered 409 and delivers nothing).

The site is the fault suite's (tests_faults/run.py): its own PostgreSQL and Redis on spare loopback ports,
gunicorn with deploy/gunicorn.conf.py, two `manage.py run_worker` processes (NOTIFY_SEND_THREADS=4 each), the
sweeps every 2 s as run_scheduler runs them, the local LINE server answering each request in --latency-ms. The
order is issued by alice through the order page. Target (issue 22): with a fault, within 2 × the no-fault time
+ 10 s, exactly once.

    .venv/bin/python bench/faults_broadcast.py [--subscribers 20000] [--latency-ms 100]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, format_table, machine_info, run_main, write_results

NAME = "faults_broadcast"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()

    from tests_faults.run import (
        SEND_THREADS,
        Browser,
        Results,
        Site,
        check_broadcast,
        mid_broadcast,
        order,
        sending_worker,
        unfinished_batches,
    )
    from tests_faults.services import wait

    machine = machine_info()
    results = Results()
    with tempfile.TemporaryDirectory(prefix="toki-bench-faults-") as workdir:
        site = Site(Path(workdir), args.subscribers, args.latency_ms)
        try:
            prepare = time.monotonic()
            site.start()
            alice = Browser(site, "alice")
            prepare_s = time.monotonic() - prepare

            alert_id, _ = order(site, alice, 3)
            reference = check_broadcast(site, results, "no fault", alert_id, None)

            alert_id, _ = order(site, alice, 4)
            mid_broadcast(site, alert_id, sending=SEND_THREADS + 1)
            victim = wait(lambda: sending_worker(site), "a worker with a LINE request open", 30, every=0.005)
            left_kill = unfinished_batches(site, alert_id)
            site.processes.kill(victim)
            check_broadcast(site, results, "worker killed", alert_id, reference)
            site.start_worker(int(victim[-1]))
            site.wait_warm(int(victim[-1]))

            alert_id, _ = order(site, alice, 5)
            left_redis = mid_broadcast(site, alert_id)
            site.redis.restart()
            check_broadcast(site, results, "Redis restarted", alert_id, reference)
        finally:
            site.stop()

    target = 2 * reference + 10
    rows = []
    for name, left in (("no fault", None), ("worker killed", left_kill), ("Redis restarted", left_redis)):
        figures = results.figures[name]
        served_once = figures["recipients"] - figures["lost"] - figures["doubled"]
        rows.append([name, f"{figures['seconds']:.2f} s", f"{served_once} of {figures['recipients']}",
                     figures["lost"], figures["doubled"], f"{figures['attempts']} / {sum(figures['batches'].values())}",
                     figures["line"]["retry_conflicts"], "—" if left is None else str(left)])
    print(f"\nBroadcast under faults, {args.subscribers} subscribers, LINE latency {args.latency_ms} ms "
          f"({machine['cores']} cores, {machine['cpu']}; set-up {prepare_s:.0f} s; load average "
          f"{machine['load_average_1_5_15']} before); target with a fault: ≤ {target:.1f} s\n")
    print(format_table(["run", "commit → last accepted", "served exactly once", "lost", "doubled",
                        "attempts / batches", "409 (retry key)", "unfinished batches at the fault"], rows))
    data = {"name": NAME, "machine": machine, "args": vars(args), "figures": results.figures,
            "target_s": target, "checks": {"passed": results.passed, "failed": results.failed}}
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    print(f"{results.passed} passed, {results.failed} failed")
    return 0 if results.failed == 0 else 1


if __name__ == "__main__":
    run_main(main)
