"""Running a step every few seconds in a long-lived process (the sweeps' `--loop`, `run_scheduler`), so that it
outlives the faults it is there to repair (issue 22): a step that raises is logged and the loop goes on, and a
database connection that broke (PostgreSQL restarted) is dropped before the next step, which opens a new one.
Without that, one restart of PostgreSQL left every later round failing on the dead connection."""

import logging
import sys
import time
from collections.abc import Callable

from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)


def run_step(name: str, step: Callable[[], object]) -> bool:
    """Run `step` once on a usable connection; log and swallow what it raises. Returns whether it succeeded."""
    close_old_connections()  # drops a connection that errored and is no longer usable
    try:
        step()
    except Exception:
        logger.exception("%s failed; trying again next round", name)
        connections.close_all()  # whatever failed, the next round starts on fresh connections
        return False
    return True


def every(interval: float, name: str, step: Callable[[], object]) -> None:
    """Run `step` every `interval` seconds, forever (until the process is stopped)."""
    while True:
        run_step(name, step)
        # A pipe (systemd's journal, the demo's supervisor) buffers stdout by blocks: without a flush a round's
        # lines would show up minutes late, or never if the process is killed.
        sys.stdout.flush()
        time.sleep(interval)
