"""deploy/gunicorn.conf.py plus a per-request trace (bench only): each request's wall time and the CPU time of the
thread that served it, one JSON line per request to $TOKI_BENCH_TRACE. Tells a request that worked long (CPU ≈
wall) from one that waited (a lock, the GIL, the scheduler). Used by `rides_booking.py --trace`."""

import json
import os
import threading
import time
from pathlib import Path

_deploy = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"
exec(compile(_deploy.read_text(), str(_deploy), "exec"))  # noqa: S102 - the project's own config file

_started = threading.local()
_out_lock = threading.Lock()


def pre_request(worker, req):
    _started.at = (time.perf_counter(), time.thread_time(), time.time())


def post_request(worker, req, environ, resp):
    wall0, cpu0, epoch = getattr(_started, "at", (None, None, None))
    if wall0 is None:
        return
    line = json.dumps({"path": req.path, "pid": os.getpid(), "thread": threading.get_ident(), "start": epoch,
                       "wall_ms": round((time.perf_counter() - wall0) * 1000, 2),
                       "cpu_ms": round((time.thread_time() - cpu0) * 1000, 2)})
    with _out_lock, open(os.environ["TOKI_BENCH_TRACE"], "a") as out:
        out.write(line + "\n")
