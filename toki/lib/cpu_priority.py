"""Background work that must never slow down a person's request: the lowest CPU priority this process can take.

The shared-ride re-optimiser searches for seconds at a time (ALNS, one core fully busy) to make tomorrow's plans a
little shorter. Nobody waits for it, while someone booking a ride or a shelter's check-in does. On a 2-core
machine, at equal priority it took a whole core from the web workers in every round, and the bookings that
arrived meanwhile queued behind it (docs/benchmarks.md, issue 19: the booking p95). So it asks the kernel to run
it only on CPU time nobody else wants:

- `nice` 19 and the SCHED_IDLE policy rank it below every normal process of the same scheduling group;
- Linux puts each session in its own scheduling group when autogroup is on (desktops, and a service started in
  its own session), where a process's nice is not compared with other groups' processes: a process that leads
  its own session also lowers its group (/proc/self/autogroup). It never does that when it shares a session (the
  demo's supervisor), because the group then holds the web server too;
- under systemd the service's cgroup weight decides between services: deploy/systemd/toki-rides-optimiser.service
  sets CPUWeight=1.

Each step is best effort: a platform without it (another OS, a container without /proc) keeps the rest."""

import contextlib
import logging
import os

logger = logging.getLogger(__name__)

LOWEST_NICE = 19


def lower_cpu_priority() -> list[str]:
    """Lower this process's CPU priority as far as the platform allows; answers what was done (for the log)."""
    done = []
    with contextlib.suppress(OSError, AttributeError):
        # Asked only when not there yet: a sandbox may refuse the call even when it would change nothing (the CI
        # machine starts its tests at nice 19 already), and the nice it has is what counts.
        if os.getpriority(os.PRIO_PROCESS, 0) < LOWEST_NICE:
            os.setpriority(os.PRIO_PROCESS, 0, LOWEST_NICE)
        done.append(f"nice {os.getpriority(os.PRIO_PROCESS, 0)}")
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        done.append("SCHED_IDLE")
    if _leads_own_session():
        with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
            group.write(str(LOWEST_NICE))
            done.append(f"autogroup nice {LOWEST_NICE}")
    logger.info("background CPU priority: %s", ", ".join(done) or "unchanged (not supported here)")
    return done


def _leads_own_session() -> bool:
    try:
        return os.getsid(0) == os.getpid()
    except (OSError, AttributeError):
        return False
