"""Toki's settings plus one fault injector for the suite's web process (never used in production): a request with
the header `X-Fault: kill-after-commit` SIGKILLs its gunicorn worker right after its transaction commits, before
the on-commit hooks run — the moment a crash costs the most (tasks not enqueued, nothing told)."""

from toki.settings import *  # noqa: F403

MIDDLEWARE = [*MIDDLEWARE, "tests_faults.killer.KillAfterCommitMiddleware"]  # noqa: F405

# The suite talks plain HTTP to gunicorn on the loopback (in production nginx ends TLS in front of it): cookies
# that a browser would only send over HTTPS must travel here too.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
