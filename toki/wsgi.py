"""The WSGI application for gunicorn (deploy/gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toki.settings")
application = get_wsgi_application()


def _load_urlconf() -> None:
    """Import the URLconf, and with it every view and API module, while the worker boots rather than during its
    first request: that import takes ~0.5 s on the 2-core reference machine, and a worker is replaced every ~10,000
    requests (max_requests), so without this one request in ten thousand waits half a second, at peak times too
    (docs/benchmarks.md, issue 7)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the attribute access performs the import


_load_urlconf()
