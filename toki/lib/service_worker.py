"""A PWA's service worker as served by Django (the shelter tablet, the household tablet, the fares checker, the
driver's tablet): the script from the static files, preceded by this deployment's constants (hashed static URLs,
the pages it keeps) and by `TOKI_SW_COMMON`, the hashed URL of static/js/sw_common.js (the caching helpers every
worker imports with importScripts). Its cache version is derived from all of it, so a new release replaces the
worker and its caches."""

import hashlib
import json

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.templatetags.static import static

COMMON = "js/sw_common.js"


def _source(name: str) -> str:
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    with open(found if isinstance(found, str) else found[0], encoding="utf-8") as handle:
        return handle.read()


def response(script: str, *, scope: str, constants: dict) -> HttpResponse:
    """The worker `script` (a static path) with `constants` (name → JSON value) and TOKI_CACHE_VERSION, allowed
    to control `scope`; checked for a new version on every navigation (no-cache)."""
    code = _source(script)
    values = {"TOKI_SW_COMMON": static(COMMON), **constants}
    version = hashlib.sha256((code + _source(COMMON) + json.dumps(values, sort_keys=True)).encode()).hexdigest()[:16]
    lines = [f"const TOKI_CACHE_VERSION = {json.dumps(version)};"]
    lines += [f"const {name} = {json.dumps(value)};" for name, value in values.items()]
    result = HttpResponse("\n".join(lines) + "\n" + code, content_type="text/javascript; charset=utf-8")
    result["Cache-Control"] = "no-cache"
    result["Service-Worker-Allowed"] = scope
    return result
