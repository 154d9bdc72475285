"""The device token behind the posting rate limit: a random value in a signed cookie, stored only as a keyed hash.

The server makes the token and signs the cookie (SECRET_KEY), so a client cannot make one up: a cookie that is
not Toki's counts as none. Someone who clears the cookie gets a new token, which is why posts are also limited
per client address and for everyone together (docs/posts.md). No IP address is stored.
"""

import re
import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

COOKIE_NAME = "toki_device"
COOKIE_AGE = 365 * 24 * 3600
_SALT = "toki.posts.device"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


def token_from(request) -> str | None:
    """The request's device token, if it carries one Toki signed (within the cookie's age)."""
    try:
        token = signing.TimestampSigner(salt=_SALT).unsign(request.COOKIES.get(COOKIE_NAME, ""), max_age=COOKIE_AGE)
    except signing.BadSignature:
        return None
    return token if _TOKEN.match(token) else None


def cookie_value(token: str) -> str:
    """The cookie's value for `token`: the token, the time and a signature keyed with SECRET_KEY."""
    return signing.TimestampSigner(salt=_SALT).sign(token)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """HMAC-SHA256 of the token keyed with SECRET_KEY (64 hex characters)."""
    return salted_hmac("toki.posts.device", token, algorithm="sha256").hexdigest()


def set_cookie(response, token: str) -> None:
    response.set_cookie(COOKIE_NAME, cookie_value(token), max_age=COOKIE_AGE, path="/posts/", httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
