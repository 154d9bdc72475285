"""Django's RedisCache, but a cache that cannot be reached is a cache that misses (docs/operations.md, issue 22).

Toki keeps only derived, short-lived values in its cache (board parts for 3 s, the day's salt, a rate-limit
counter): every reader can compute them again. So while Redis is down or restarting a page must be slower, never
a 500: a read answers the default (a miss), a write is dropped, `incr`/`decr` answer as for a missing key
(ValueError, which callers already handle). What django-redis calls IGNORE_EXCEPTIONS, for Django's own backend.

After a failure the cache is skipped for `OPTIONS["retry_after"]` seconds (default 2): a Redis that hangs would
otherwise cost every request the socket timeout. Errors are counted (`errors`) and logged at most once per
skip window, so the log says how long and how often the cache was bypassed without one line per request.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# OSError covers refused and reset connections the client raises as such; RedisError its own errors and timeouts.
UNREACHABLE = (RedisError, OSError)


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("retry_after", 2.0))
        # Without timeouts a Redis that accepts connections but never answers would hang the request.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.errors = 0
        self._skip_until = 0.0
        self._lock = threading.Lock()

    def _call(self, fallback, method, *args, **kwargs):
        if time.monotonic() < self._skip_until:
            return fallback()
        try:
            return method(*args, **kwargs)
        except UNREACHABLE as error:
            with self._lock:
                self.errors += 1
                logged = self._skip_until  # one log line per skip window
                self._skip_until = time.monotonic() + self.retry_after
            if logged <= time.monotonic():
                logger.warning("cache unreachable (%s: %s): bypassed for %.0f s (%s errors so far)",
                               type(error).__name__, error, self.retry_after, self.errors)
            return fallback()

    def get(self, key, default=None, version=None):
        return self._call(lambda: default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(lambda: False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(lambda: False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._call(lambda: None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._call(_missing(key), super().incr, key, delta, version)

    def clear(self):
        return self._call(lambda: False, super().clear)


def _missing(key):
    def fallback():
        raise ValueError(f"Key '{key}' not found (cache unreachable)")

    return fallback
