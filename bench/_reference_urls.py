"""The URLconf of bench/cached_home.py: Toki's own URLs plus one trivial view, so the cached home page and the
cheapest possible Django page go through the same gunicorn, the same middleware and the same process in the same
run (settings: bench/_reference_settings.py, bench/ on PYTHONPATH).

The trivial view answers `/bench/trivial/?bytes=N` with N bytes of HTML (the home page's size, so the two send the
same amount): no template, no query, no session.
"""

from functools import lru_cache

from django.http import HttpResponse
from django.urls import include, path

MAX_BYTES = 1024 * 1024


@lru_cache(maxsize=8)
def _body(size: int) -> bytes:
    return b"<!doctype html><title>trivial</title>" + b"x" * max(0, size - 37)


def trivial(request):
    try:
        size = min(MAX_BYTES, int(request.GET.get("bytes", "2")))
    except ValueError:
        size = 2
    return HttpResponse(_body(size), content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("toki.urls")),
]
