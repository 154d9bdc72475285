"""Toki's one settings module.

Everything that differs between a laptop demo and a production deployment is an environment variable read
through `toki.lib.env`; each is listed in `.env.example` and explained in `docs/settings.md`. With no
variables set, Toki runs on SQLite in debug mode with the database task queue.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from toki.lib.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_str,
    url_with_query,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TOKI_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("TOKI_DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when TOKI_DEBUG is off")
    # Debug-only key: sessions signed with it are worthless anywhere else, which is the point.
    SECRET_KEY = "insecure-debug-only-" + "x" * 40

# Django's technical error pages (every URL of the site, tracebacks, settings) with DEBUG on; off by default, so
# the demo (`make run`) shows a visitor the same error pages as production (toki/portal/errors.py).
TOKI_DEBUG_ERROR_PAGES = env_bool("TOKI_DEBUG_ERROR_PAGES", False)
CSRF_FAILURE_VIEW = "toki.portal.errors.csrf_failure"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The CAP <sender> of alerts Toki publishes; empty: toki@<host of SITE_URL>. It goes into every CAP document.
TOKI_CAP_SENDER = env_str("TOKI_CAP_SENDER", "")
if any(char in TOKI_CAP_SENDER for char in " ,<&"):
    raise ImproperlyConfigured(f"TOKI_CAP_SENDER={TOKI_CAP_SENDER!r} may not contain spaces, commas, < or &")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves its Swagger UI from static files, not a CDN
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",  # the registry's second factor (toki/registry/second_factor.py)
    "toki.accounts",
    "toki.areas",
    "toki.events",
    "toki.alerts",
    "toki.shelters",
    "toki.lifelines",
    "toki.notices",
    "toki.posts",
    "toki.hq",
    "toki.hq.damage",
    "toki.notify",
    "toki.registry",
    "toki.transport.transit",
    "toki.community",
    "toki.portal",
    "toki.linebot",
    "toki.kpi",
    "toki.transport.fares",
    "toki.transport.rides",
    "toki.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "toki.lib.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "toki.portal.errors.DebugErrorPagesMiddleware",  # with DEBUG on: the readers' error pages, not Django's
    "toki.portal.middleware.PageViewMiddleware",  # privacy-preserving page counts (docs/portal-kpi.md)
    # Cached public pages (docs/page-cache.md): inside the counter, so hits are counted; outside the messages and
    # X-Frame-Options middleware, whose work for an anonymous page is the same every time (stored with it).
    "toki.portal.page_cache.PageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "toki.urls"
WSGI_APPLICATION = "toki.wsgi.application"
ASGI_APPLICATION = "toki.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "toki.portal.context_processors.site",
            ],
            "libraries": {"jp_dates": "toki.lib.jp_dates", "local_text": "toki.lib.readings",
                          "place_names": "toki.lib.place_names"},
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    # The zero-configuration database lives in var/, created on first use so `manage.py` works on a fresh clone.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "toki.sqlite3")}}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the write lock up
    # front, so two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Persistent connections (per server thread) on both engines: opening one per request costs up to a
# millisecond on SQLite (plus its PRAGMAs) and far more on PostgreSQL.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work (django.tasks) ---------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
TOKI_TASKS = env_choice("TOKI_TASKS", ("db", "rq", "immediate"), "db")
# RQ is always configured (its apps are cheap to load) so that a worker or a test can reach it; it is the
# queue engine only when TOKI_TASKS=rq.
INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
# A web request enqueues on commit: a Redis that accepts the connection but never answers must fail it in seconds,
# not hang it. django-rq 4.2 builds the connection with `redis.Redis.from_url(URL)` and ignores
# REDIS_CLIENT_KWARGS when a URL is given, so the timeouts travel in the URL's query (redis-py reads them there). An
# RQ worker raises socket_timeout itself above its blocking dequeue (rq.worker.base._set_connection).
TOKI_RQ_SOCKET_TIMEOUT = env_int("TOKI_RQ_SOCKET_TIMEOUT", 5)
TOKI_RQ_CONNECT_TIMEOUT = env_int("TOKI_RQ_CONNECT_TIMEOUT", 2)
RQ_QUEUES = {"default": {"URL": url_with_query(REDIS_URL or "redis://127.0.0.1:6379/0",
                                               socket_timeout=TOKI_RQ_SOCKET_TIMEOUT,
                                               socket_connect_timeout=TOKI_RQ_CONNECT_TIMEOUT),
                         "DEFAULT_TIMEOUT": 300}}
if TOKI_TASKS == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TOKI_TASKS=rq needs REDIS_URL")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TOKI_TASKS == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    # A cache that cannot be reached misses instead of raising: pages never depend on Redis (toki/lib/cache.py).
    CACHES = {"default": {"BACKEND": "toki.lib.cache.ForgivingRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Cached public pages (docs/page-cache.md): rendered once per language and public version, kept at most
# TOKI_PAGE_CACHE_SECONDS (0: no page cache). "memory": each web process keeps its own copies (no network on a
# hit, unaffected by Redis); "redis": the processes share them in REDIS_URL.
TOKI_PAGE_CACHE_SECONDS = env_int("TOKI_PAGE_CACHE_SECONDS", 30)
TOKI_PAGE_CACHE = env_choice("TOKI_PAGE_CACHE", ("memory", "redis"), "memory")
if TOKI_PAGE_CACHE == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured("TOKI_PAGE_CACHE=redis needs REDIS_URL")
    CACHES["pages"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                       "KEY_PREFIX": "pages"}
else:
    CACHES["pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "toki-pages",
                       "OPTIONS": {"MAX_ENTRIES": 1000}}

# --- Accounts and security ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling per account AND client (docs/security.md): after this many failures of one username from
# one client, that client waits TOKI_LOGIN_DELAY_SECONDS, doubled at each further failure, at most
# TOKI_LOGIN_LOCK_MINUTES. After TOKI_LOGIN_ACCOUNT_MAX_FAILURES failures from all unknown clients together,
# every unknown client is held the same way; a known device (a signed cookie set at login, valid
# TOKI_LOGIN_DEVICE_DAYS) never is.
TOKI_LOGIN_MAX_FAILURES = env_int("TOKI_LOGIN_MAX_FAILURES", 5)
TOKI_LOGIN_DELAY_SECONDS = env_int("TOKI_LOGIN_DELAY_SECONDS", 30)
TOKI_LOGIN_LOCK_MINUTES = env_int("TOKI_LOGIN_LOCK_MINUTES", 15)
TOKI_LOGIN_ACCOUNT_MAX_FAILURES = env_int("TOKI_LOGIN_ACCOUNT_MAX_FAILURES", 50)
TOKI_LOGIN_DEVICE_DAYS = env_int("TOKI_LOGIN_DEVICE_DAYS", 180)

# E-mail (Django's mail API): only the notice to an account's owner about failed logins uses it. Empty
# EMAIL_HOST: no e-mail is sent (the owner still sees the notice at their next login).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "toki@localhost")

# The plan's KPIs (docs/kpi.md): grade bands on the achievement rate (NAME:PERCENT, highest first), the minutes
# within which a warning or order must reach LINE to count for the 情報発信率, and the org units (besides HQ)
# whose admins administer the plan.
TOKI_KPI_BANDS = env_str("TOKI_KPI_BANDS", "S:100,A:80,B:60,C:0")
TOKI_KPI_PUBLISH_MINUTES = env_int("TOKI_KPI_PUBLISH_MINUTES", 10)
TOKI_KPI_ADMIN_UNITS = env_list("TOKI_KPI_ADMIN_UNITS", ["企画課"])

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind nginx or a load balancer that terminates TLS and sets X-Forwarded-Proto.
    if env_bool("TOKI_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (Django's middleware; docs/security.md). Everything from this origin only: scripts
# and <style> blocks need the response's nonce, so no injected markup can run script or add styles; no inline
# event handlers or style attributes are allowed (Toki's templates have none; scripts set styles through the
# CSSOM, which CSP does not restrict).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # data: for Leaflet, which points a tile it drops at a 1x1 GIF data: URL to stop its download (an image cannot
    # run script); + the tile server, added below once TOKI_TILE_URL is read.
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Permissions-Policy (toki/lib/security_headers.py): the shelters page and the post form may ask for the position,
# the shelter tablet for the camera (QR reader); every other powerful feature is off, for this site and any frame.
TOKI_PERMISSIONS_POLICY = {
    "geolocation": ["self"], "camera": ["self"], "microphone": [], "display-capture": [], "payment": [],
    "usb": [], "serial": [], "hid": [], "midi": [], "accelerometer": [], "gyroscope": [], "magnetometer": [],
    "autoplay": [], "encrypted-media": [], "fullscreen": [], "picture-in-picture": [],
    "publickey-credentials-get": [], "screen-wake-lock": [], "xr-spatial-tracking": [], "browsing-topics": [],
}

# The reverse proxies whose X-Forwarded-For / X-Real-IP are believed (toki/lib/client_address.py): nginx on the
# same machine by default. Add a load balancer's or CDN's networks when one sits in front of nginx.
TOKI_TRUSTED_PROXIES = env_networks("TOKI_TRUSTED_PROXIES", ["127.0.0.1", "::1"])

# --- Limits of the public, anonymous forms (docs/security.md) ------------------------------------------
# The 安否 search: 5 searches per client per 10 minutes (a constant of toki/shelters), and at most this many for
# everyone together in the same 10 minutes: a second layer against enumeration from many addresses.
TOKI_SAFETY_SEARCH_GLOBAL_LIMIT = env_int("TOKI_SAFETY_SEARCH_GLOBAL_LIMIT", 1000)
# Citizen posts (docs/posts.md): besides 3 per device per 10 minutes (a constant), at most this many per client
# address and for everyone together in 10 minutes; and caps on what waits for review.
TOKI_POSTS_ADDRESS_LIMIT = env_int("TOKI_POSTS_ADDRESS_LIMIT", 10)
TOKI_POSTS_GLOBAL_LIMIT = env_int("TOKI_POSTS_GLOBAL_LIMIT", 200)
TOKI_POSTS_PENDING_MAX = env_int("TOKI_POSTS_PENDING_MAX", 2000)
TOKI_POSTS_PENDING_PHOTO_MB = env_int("TOKI_POSTS_PENDING_PHOTO_MB", 1024)

# --- Languages and time ---------------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [
    ("ja", "日本語"),
    ("ja-easy", "やさしい日本語"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ko", "한국어"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "toki_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Tokyo"

# --- Static files ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# The static 軽量版 (docs/static-site.md): snapshots of the public pages are published here; nginx or a CDN serves
# its `current` symlink. TOKI_STATIC_SITE_KEEP older snapshots are kept besides the current one.
TOKI_STATIC_SITE_DIR = Path(env_str("TOKI_STATIC_SITE_DIR", str(VAR_DIR / "static-site")))
TOKI_STATIC_SITE_KEEP = env_int("TOKI_STATIC_SITE_KEEP", 2)

# --- Municipality ---------------------------------------------------------------------------------------
# The profile to load by default (a JSON file, see docs/settings.md); another municipality needs no code.
# Shelters (docs/shelter-ops.md "Pre-registration", docs/shelter-pwa.md "Logout and idle"): the public
# pre-registration's limits per client address and in total, per hour; the minutes without use after which the
# shelter tablet deletes its offline roster.
TOKI_PREREGISTRATIONS_PER_ADDRESS = env_int("TOKI_PREREGISTRATIONS_PER_ADDRESS", 5)
TOKI_PREREGISTRATIONS_PER_HOUR = env_int("TOKI_PREREGISTRATIONS_PER_HOUR", 300)
# 手上げ applications to the registry (toki/registry/applications.py): per client address, and everyone, per hour.
TOKI_REGISTRY_APPLICATIONS_PER_ADDRESS = env_int("TOKI_REGISTRY_APPLICATIONS_PER_ADDRESS", 5)
TOKI_REGISTRY_APPLICATIONS_PER_HOUR = env_int("TOKI_REGISTRY_APPLICATIONS_PER_HOUR", 200)
TOKI_SHELTER_TABLET_IDLE_MINUTES = env_int("TOKI_SHELTER_TABLET_IDLE_MINUTES", 30)
# Household tablets (docs/community.md): how often a tablet polls for alerts when push is off, how long the
# per-district alert state is shared between polls, after how many days a circular's unread households are listed.
TOKI_COMMUNITY_POLL_SECONDS = env_int("TOKI_COMMUNITY_POLL_SECONDS", 30)
TOKI_COMMUNITY_POLL_CACHE_SECONDS = env_int("TOKI_COMMUNITY_POLL_CACHE_SECONDS", 3)
TOKI_COMMUNITY_UNREAD_DAYS = env_int("TOKI_COMMUNITY_UNREAD_DAYS", 3)
if TOKI_SHELTER_TABLET_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("TOKI_SHELTER_TABLET_IDLE_MINUTES must be at least 1")

TOKI_MUNICIPALITY_PROFILE = env_str("TOKI_MUNICIPALITY_PROFILE", str(BASE_DIR / "profiles" / "sado.json"))
TOKI_TILE_URL = env_str("TOKI_TILE_URL", "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png")
# The tile server's origin may serve images (CSP); a {s} subdomain placeholder becomes a wildcard.
_tiles = urlsplit(TOKI_TILE_URL.replace("{s}", "*"))
if _tiles.scheme and _tiles.netloc:
    SECURE_CSP["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

# --- JMA 防災情報XML feeds (docs/jma-feeds.md) ---------------------------------------------------------------
_JMA_FEED_BASE = "https://www.data.jma.go.jp/developer/xml/feed/"
TOKI_JMA_FEEDS = env_list("TOKI_JMA_FEEDS", [_JMA_FEED_BASE + "extra.xml", _JMA_FEED_BASE + "eqvol.xml"])
TOKI_JMA_LONG_FEEDS = env_list("TOKI_JMA_LONG_FEEDS", [_JMA_FEED_BASE + "extra_l.xml", _JMA_FEED_BASE + "eqvol_l.xml"])
TOKI_JMA_POLL_INTERVAL = env_int("TOKI_JMA_POLL_INTERVAL", 60)
TOKI_JMA_POLL_SECOND = env_int("TOKI_JMA_POLL_SECOND", 20)
TOKI_JMA_BACKFILL_AFTER = env_int("TOKI_JMA_BACKFILL_AFTER", 600)
TOKI_JMA_TIMEOUT = env_int("TOKI_JMA_TIMEOUT", 10)
TOKI_JMA_USER_AGENT = env_str(
    "TOKI_JMA_USER_AGENT", "Toki/0.1 (open-source municipal disaster information platform; JMA XML PULL poller)"
)
TOKI_JMA_MAX_FEED_BYTES = env_int("TOKI_JMA_MAX_FEED_BYTES", 5 * 1024 * 1024)
TOKI_JMA_MAX_TELEGRAM_BYTES = env_int("TOKI_JMA_MAX_TELEGRAM_BYTES", 20 * 1024 * 1024)
# Telegrams that do not concern the municipality are kept this many days (for audit and back-fill), then pruned.
TOKI_JMA_KEEP_OTHER_DAYS = env_int("TOKI_JMA_KEEP_OTHER_DAYS", 14)

# --- LINE and the delivery outbox (docs/notify.md) --------------------------------------------------------
# The Messaging API channel's secret (verifies webhook signatures) and long-lived channel access token (sends).
# Empty: webhooks are refused and nothing is sent (deliveries wait, planned, until a token is configured).
LINE_CHANNEL_SECRET = env_str("LINE_CHANNEL_SECRET")
LINE_CHANNEL_ACCESS_TOKEN = env_str("LINE_CHANNEL_ACCESS_TOKEN")
# The API hosts. Tests and benchmarks point both at the local LINE server (toki.notify.line.localserver).
LINE_API_BASE_URL = env_str("LINE_API_BASE_URL", "https://api.line.me").rstrip("/")
LINE_API_DATA_BASE_URL = env_str("LINE_API_DATA_BASE_URL", "https://api-data.line.me").rstrip("/")
# Seconds one send request may take (connect + read) before it counts as a connection error and is retried.
LINE_API_TIMEOUT = env_int("LINE_API_TIMEOUT", 15)
# Attempts of one batch (first send + retries) before it is dead and shown to staff.
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
# A batch claimed by a worker that has not finished within this many seconds is taken over by `notify_sweep`
# (the worker died); the same X-Line-Retry-Key makes the re-send harmless. The sending worker renews the lease
# every third of it while the request is in flight (a heartbeat), so the lease is short without cutting a slow
# request short: a killed worker's batches are sent again within seconds (issue 22, docs/operations.md).
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 6)
# A planned batch whose send task has not claimed it within this many seconds is enqueued again by the sweep: its
# task was lost (Redis restarted without persistence, the worker that took it died before starting it) or is
# still queued, in which case the repeat finds the batch taken and does nothing.
NOTIFY_REQUEUE_SECONDS = env_int("NOTIFY_REQUEUE_SECONDS", 4)

# Domain events (ADR 0007): a delivery's claim lasts this long (renewed by a heartbeat while the subscriber runs),
# and the sweep leaves an event this long to its own delivery before redelivering it (at once when its enqueue
# failed); undelivered events older than the window are left alone (logged), done ones deleted after
# TOKI_EVENTS_KEEP_DAYS.
TOKI_EVENTS_LEASE_SECONDS = env_int("TOKI_EVENTS_LEASE_SECONDS", 10)
TOKI_EVENTS_REQUEUE_SECONDS = env_int("TOKI_EVENTS_REQUEUE_SECONDS", 4)
TOKI_EVENTS_REDELIVER_HOURS = env_int("TOKI_EVENTS_REDELIVER_HOURS", 24)
TOKI_EVENTS_MAX_ATTEMPTS = env_int("TOKI_EVENTS_MAX_ATTEMPTS", 20)
TOKI_EVENTS_KEEP_DAYS = env_int("TOKI_EVENTS_KEEP_DAYS", 7)
# First retry delay in seconds; doubled at each attempt, capped at NOTIFY_RETRY_MAX_SECONDS. LINE keeps a retry
# key 24 hours, so the whole retry schedule must stay well inside that.
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 2)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 600)
# Requests one worker process has in flight when it sends a group of batches (threads, each with its own database
# connection). Workers × threads × LINE latency bounds the rate: 4 × 4 at 50 ms is 320/s, above LINE's 200/s.
NOTIFY_SEND_THREADS = env_int("NOTIFY_SEND_THREADS", 4)

# --- Web Push (docs/webpush.md) -----------------------------------------------------------------------------
# The VAPID key pair (RFC 8292): the private key as base64url (the raw 32-byte P-256 scalar, or DER), made by
# `manage.py webpush_keys`; the subject is a mailto: or https: contact for the push services. Empty key: the
# channel is not configured and planning skips it (its subscribers keep their registrations).
TOKI_WEBPUSH_VAPID_PRIVATE_KEY = env_str("TOKI_WEBPUSH_VAPID_PRIVATE_KEY")
TOKI_WEBPUSH_VAPID_SUBJECT = env_str("TOKI_WEBPUSH_VAPID_SUBJECT", "")
# How long (seconds) a push service keeps a message for a browser that is offline (the TTL header).
TOKI_WEBPUSH_TTL = env_int("TOKI_WEBPUSH_TTL", 6 * 3600)
# Seconds one push request may take (connect + read) before it counts as a timeout and is retried.
TOKI_WEBPUSH_TIMEOUT = env_int("TOKI_WEBPUSH_TIMEOUT", 10)
# Requests one batch of subscriptions has in flight at once (a bounded thread pool inside the transport).
TOKI_WEBPUSH_THREADS = env_int("TOKI_WEBPUSH_THREADS", 16)
# Where browsers' push endpoints may point (host names, a leading "." for a whole domain): the endpoint comes from
# the browser, and Toki POSTs to it, so only the known push services are accepted (no requests to inner hosts).
# An entry "http://host:port" allows that one origin without TLS (the local push service in tests and demos).
TOKI_WEBPUSH_ENDPOINT_HOSTS = env_list("TOKI_WEBPUSH_ENDPOINT_HOSTS", [
    "fcm.googleapis.com", ".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com"])

# --- Logging --------------------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# Every record goes to the one console handler of the root logger. Django's own default configuration gives the
# "django" logger a second console handler (active with DEBUG on, as in `make run`) that also propagates to the root:
# every django.* record, e.g. each task the worker ran, was printed twice. Naming the logger here removes that
# handler (dictConfig replaces a named logger's handlers); its records reach the root's handler once.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- On-demand shared rides (docs/rides.md) ---------------------------------------------------------------
# Travel times: "straight" (haversine × the area's detour factor at its speed), "matrix:<path>" or "osrm:<url>".
TOKI_RIDES_TRAVEL = env_str("TOKI_RIDES_TRAVEL", "straight")
if not (TOKI_RIDES_TRAVEL == "straight" or TOKI_RIDES_TRAVEL.startswith(("matrix:", "osrm:"))):
    raise ImproperlyConfigured("TOKI_RIDES_TRAVEL must be straight, matrix:<path> or osrm:<url>")
# The re-optimiser's time budget per area and day, in seconds (manage.py rides_reoptimise).
TOKI_RIDES_REOPTIMISE_SECONDS = env_int("TOKI_RIDES_REOPTIMISE_SECONDS", 2)
# The dispatcher's compiled kernel (numba) is cached under the var directory: the code directory is read-only in
# production (ProtectSystem=strict) and the home directory hidden, where numba would otherwise look, and without a
# cache every web worker compiled it on its first booking (~10 s). Filled at deploy by `rides_prepare_solver`.
os.environ.setdefault("NUMBA_CACHE_DIR", str(VAR_DIR / "numba"))
# The public booking page (/rides/): requests from one client, and from everyone together, per 10 minutes.
TOKI_RIDES_WEB_BOOKINGS_PER_CLIENT = env_int("TOKI_RIDES_WEB_BOOKINGS_PER_CLIENT", 10)
TOKI_RIDES_WEB_BOOKINGS_GLOBAL = env_int("TOKI_RIDES_WEB_BOOKINGS_GLOBAL", 600)
# Reminders to riders who booked through LINE (manage.py rides_remind): the evening before from this local time
# (HH:MM), and when their vehicle's last position (fresh within TOKI_RIDES_POSITION_FRESH_MINUTES) is within
# TOKI_RIDES_REMIND_NEAR_MINUTES' drive of the pickup.
try:
    TOKI_RIDES_REMIND_EVENING = datetime.time.fromisoformat(env_str("TOKI_RIDES_REMIND_EVENING", "18:00"))
except ValueError as exc:
    raise ImproperlyConfigured("TOKI_RIDES_REMIND_EVENING must be a time of day, HH:MM (e.g. 18:00)") from exc
TOKI_RIDES_REMIND_NEAR_MINUTES = env_int("TOKI_RIDES_REMIND_NEAR_MINUTES", 10)
TOKI_RIDES_POSITION_FRESH_MINUTES = env_int("TOKI_RIDES_POSITION_FRESH_MINUTES", 5)
# --- Periodic jobs (run by `manage.py run_scheduler`): (command, interval in seconds, arguments) -----------
# Each runs in the scheduler's one process, one after the other: a job must be short, or the sweeps every 2 s wait
# behind it. The rides re-optimiser (tens of seconds of search a round) is therefore its own process at the lowest
# CPU priority (`rides_reoptimise --loop`, deploy/systemd/toki-rides-optimiser.service), not a job here.
TOKI_PERIODIC_JOBS = [
    ("prune_db_task_results", 3600, ["--min-age-days", "7"]) if TOKI_TASKS == "db" else None,
    ("purge_login_throttles", 3600, []),  # login throttles and every app's rate counters (accounts.ratelimit)
    ("prune_telegrams", 3600, []),
    ("purge_distress_messages", 3600, []),  # possible calls for help are kept 30 days (docs/privacy.md)
    ("expire_warnings", 60, []),  # a 津波予報（若干の海面変動） ends at its ValidDateTime (docs/alerts.md)
    ("rotate_analytics", 3600, []),
    ("prune_orphan_photos", 3600, []),  # damage photos a killed process wrote but never committed (issue 22)
    ("publish_static", 300, []),  # safety net: changes republish the 軽量版 at once (docs/static-site.md)
    # Every 2 s: a fault (a worker killed, Redis restarted) must cost seconds, not a minute (issue 22). Each round is
    # one or two indexed queries when there is nothing to do.
    ("events_sweep", 2, []),  # redelivers domain events a crash left undelivered (ADR 0007)
    ("notify_sweep", 2, []),  # re-sends batches whose worker died or whose retry is due (docs/notify.md)
    ("kpi_refresh", 3600, []),  # the plan's KPIs that Toki measures itself (docs/kpi.md)
    ("kpi_remind", 86400, []),  # reminds owners of KPIs whose update is overdue (docs/kpi.md)
    ("fares_reconcile", 600, []),  # payments paid at the provider but not recorded here (docs/fares.md)
    ("watch_over", 300, []),  # households with watch-over that gave no sign: message, then the call list (issue 17)
    # The registry access log past TOKI_REGISTRY_ACCESS_LOG_YEARS goes, after a signed checkpoint (docs/registry.md);
    # its chain head is copied off the box when TOKI_REGISTRY_LOG_HEAD_SINK is set.
    ("registry_prune_access_log", 86400, []),
    ("registry_export_log_head", 3600, []) if env_str("TOKI_REGISTRY_LOG_HEAD_SINK") else None,
    ("rides_remind", 60, []),  # LINE reminders the evening before and when the vehicle is near (docs/rides.md)
    ("registry_safety_escalate", 60, []),  # 安否: not confirmed after N minutes → the next rung (docs/registry.md)
]
TOKI_PERIODIC_JOBS = [job for job in TOKI_PERIODIC_JOBS if job]

# --- Island fares (docs/fares.md, issue 20) ---------------------------------------------------------------
# The デジタル認証アプリ (OpenID Connect): issuer (its discovery document is read from there), client id and secret.
TOKI_FARES_OIDC_ISSUER = env_str("TOKI_FARES_OIDC_ISSUER")
TOKI_FARES_OIDC_CLIENT_ID = env_str("TOKI_FARES_OIDC_CLIENT_ID", "toki-fares")
TOKI_FARES_OIDC_CLIENT_SECRET = env_str("TOKI_FARES_OIDC_CLIENT_SECRET")
TOKI_FARES_ADDRESS_PREFIX = env_str("TOKI_FARES_ADDRESS_PREFIX", "新潟県佐渡市")
TOKI_FARES_RESIDENCY_DAYS = env_int("TOKI_FARES_RESIDENCY_DAYS", 365)
# Keyed hash of the provider's subject, and the Ed25519 signing keys "kid:base64url-seed,…" (first signs; every
# one is published). Debug sites derive both from SECRET_KEY; with TOKI_DEBUG off, fares refuses to sign or
# verify residency until they are set (toki/transport/fares/conf.py).
TOKI_FARES_PSEUDONYM_KEY = env_str("TOKI_FARES_PSEUDONYM_KEY")
TOKI_FARES_SIGNING_KEYS = env_list("TOKI_FARES_SIGNING_KEYS")
# Resident prices in yen.
TOKI_FARES_PRICE_SUB30 = env_int("TOKI_FARES_PRICE_SUB30", 5000)
TOKI_FARES_PRICE_DAY = env_int("TOKI_FARES_PRICE_DAY", 1000)
TOKI_FARES_PRICE_SINGLE = env_int("TOKI_FARES_PRICE_SINGLE", 300)
TOKI_FARES_PAYMENT_PROVIDER = env_str("TOKI_FARES_PAYMENT_PROVIDER", "stripe")
TOKI_FARES_STRIPE_API_BASE = env_str("TOKI_FARES_STRIPE_API_BASE", "https://api.stripe.com")
TOKI_FARES_STRIPE_SECRET_KEY = env_str("TOKI_FARES_STRIPE_SECRET_KEY")
TOKI_FARES_STRIPE_WEBHOOK_SECRET = env_str("TOKI_FARES_STRIPE_WEBHOOK_SECRET")

TEST_RUNNER = "toki.test.TokiTestRunner"
