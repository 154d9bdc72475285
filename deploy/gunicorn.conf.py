"""Gunicorn settings for Toki's production web process.

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py

Toki is a synchronous Django app (ORM, templates, sessions), so it runs under a WSGI server: gunicorn, with
`gthread` workers, behind nginx (deploy/nginx/toki.conf), which terminates TLS, buffers slow clients and may
serve /static/ itself; WhiteNoise serves the same files from the app when nginx does not.
docs/operations.md explains the choice (rather than runserver, uvicorn/ASGI or uWSGI) and the sizing; the
figures are in docs/benchmarks.md (`make bench`).

Any value here can be overridden without editing the file, by gunicorn's own flags or GUNICORN_CMD_ARGS, e.g.
GUNICORN_CMD_ARGS="--workers 5 --bind unix:/run/toki/web.sock" (command-line values win over this file).
"""

import os
from pathlib import Path

# The checkout's root (this file is deploy/gunicorn.conf.py), so `toki.wsgi` imports from any working directory.
chdir = str(Path(__file__).resolve().parent.parent)
wsgi_app = "toki.wsgi:application"
proc_name = "toki-web"

# Loopback only: nginx is the only client. Django trusts X-Forwarded-Proto from it (TOKI_BEHIND_PROXY), so the
# app port must never be reachable from outside, or a client could claim HTTPS.
bind = ["127.0.0.1:8000"]
forwarded_allow_ips = "127.0.0.1,::1"

# --- Sizing ----------------------------------------------------------------------------------------------
# gthread: each worker process runs a pool of threads. Processes give CPU parallelism (the GIL lets one thread
# run Python at a time per process); threads cover the time a request waits on the database, Redis or the
# client, for little memory. Sized for the 2-core reference machine:
#   workers = cores + 1 = 3: two to keep both cores busy rendering pages, one spare so a core is not left idle
#     while a worker is stalled (GC, a slow query, a restart after max_requests);
#   threads = 4: 12 requests in flight in all, enough to cover database and client waits, without the GIL
#     contention that many threads in one process bring to CPU-bound template rendering.
# On a machine with more cores, the worker count follows the cores this process may use.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
worker_class = "gthread"
workers = _cores + 1
threads = 4

# --- Robustness ------------------------------------------------------------------------------------------
# A worker silent for this long is killed and replaced (gthread workers stay responsive during a slow request,
# so this catches a hung process, not a slow page); nginx's proxy_read_timeout matches it.
timeout = 30
# On SIGTERM / SIGHUP, in-flight requests get this long to finish.
graceful_timeout = 30
# Longer than nginx's upstream keepalive_timeout (4 s), so nginx, not gunicorn, closes idle connections and
# never sends a request down a connection gunicorn is closing.
keepalive = 5
# Replace each worker after ~10000 requests (jittered so they do not restart together): bounds a slow memory
# leak in the app or a library. Not lower: a restart re-imports Django (~0.6 s of CPU), and during a disaster's
# traffic peak (several hundred requests/s on 2 cores) a low limit would spend that CPU every few seconds.
max_requests = 10000
max_requests_jitter = 1000
# The worker heartbeat file on tmpfs: fchmod on a disk-backed file can stall a worker (gunicorn's FAQ).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's recommended place
# Request limits: gunicorn's defaults (4094-byte request line, 100 headers of 8190 bytes); nginx limits
# request bodies (client_max_body_size).

# --- Control and logs ------------------------------------------------------------------------------------
# Managed through systemd signals (reload = SIGHUP, stop = SIGTERM); no gunicornc control socket to secure.
control_socket_disable = True
# Errors and start/stop to stderr (journald under systemd). The access log is nginx's; no second copy here.
errorlog = "-"
loglevel = "info"
accesslog = None


# --- Start-up --------------------------------------------------------------------------------------------
def post_worker_init(worker):
    """Load the shared-ride dispatcher's compiled kernel (numba) as soon as a worker starts, beside it in a thread:
    loading it from the cache costs ~0.5 s of CPU and compiling it (a cache missing after a deploy that skipped
    `rides_prepare_solver`) ~10 s, which the first booking in each worker otherwise waited for. In a thread, so
    that the worker answers at once and the master never takes a long compile for a hung worker."""
    import threading

    def warm():
        try:
            from toki.transport.darp.warm import warm_up

            worker.log.info("darp kernel ready in %.1f s", warm_up())
        except Exception:  # the worker serves everything else; a booking will load the kernel itself
            worker.log.exception("darp kernel warm-up failed")

    threading.Thread(target=warm, name="darp-warm-up", daemon=True).start()
