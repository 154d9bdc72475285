"""The device token behind the posting rate limit: a random value in a cookie, stored only as a keyed hash.

No IP address is read or stored. Someone who clears the cookie gets a new token: the limit slows a careless
flood of posts, the honeypot and moderation do the rest (docs/posts.md).
"""

import re
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

COOKIE_NAME = "toki_device"
COOKIE_AGE = 365 * 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


def token_from(request) -> str | None:
    """The request's device token, if it carries a well-formed one."""
    token = request.COOKIES.get(COOKIE_NAME, "")
    return token if _TOKEN.match(token) else None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """HMAC-SHA256 of the token keyed with SECRET_KEY (64 hex characters)."""
    return salted_hmac("toki.posts.device", token, algorithm="sha256").hexdigest()


def set_cookie(response, token: str) -> None:
    response.set_cookie(COOKIE_NAME, token, max_age=COOKIE_AGE, path="/posts/", httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
