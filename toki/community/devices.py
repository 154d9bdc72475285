"""The device cookie: a random secret per enrolled tablet or phone, kept by the server only as its SHA-256.

A resident never types a password: the tablet is enrolled once with a one-time QR (toki.community.actions), and
from then on its cookie is its key. Remote sign-out sets `signed_out_at`; the cookie then opens nothing."""

import hashlib
import secrets

from django.conf import settings

from toki.community.models import Device

COOKIE = "toki_tablet"
COOKIE_AGE = 5 * 365 * 24 * 3600  # the lending period of a tablet (都農: 5 years)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_of(request) -> Device | None:
    """The enrolled, not signed-out device whose cookie the request carries (one query), else None."""
    secret = request.COOKIES.get(COOKIE, "")
    if not secret or len(secret) > 100:
        return None
    return (Device.objects.select_related("household", "member")
            .filter(token_sha256=digest(secret), signed_out_at=None).order_by().first())


def set_cookie(response, secret: str) -> None:
    response.set_cookie(COOKIE, secret, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=not settings.DEBUG and getattr(settings, "SESSION_COOKIE_SECURE", False))
