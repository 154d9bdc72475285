"""The device cookie: a random secret per enrolled tablet or phone, kept by the server only as its SHA-256.

A resident never types a password: the tablet is enrolled once with a one-time QR (toki.community.actions), and
from then on its cookie is its key. Remote sign-out sets `signed_out_at`; the cookie then opens nothing."""

from toki.community.models import Device
from toki.lib import device_secrets
from toki.lib.device_secrets import digest, new_secret

__all__ = ["COOKIE", "COOKIE_AGE", "device_of", "digest", "new_secret", "set_cookie"]

COOKIE = "toki_tablet"
COOKIE_AGE = 5 * 365 * 24 * 3600  # the lending period of a tablet (都農: 5 years)


def device_of(request) -> Device | None:
    """The enrolled, not signed-out device whose cookie the request carries (one query), else None."""
    secret = device_secrets.cookie_secret(request, COOKIE)
    if not secret:
        return None
    return (Device.objects.select_related("household", "member")
            .filter(token_sha256=digest(secret), signed_out_at=None).order_by().first())


def set_cookie(response, secret: str) -> None:
    device_secrets.set_cookie(response, COOKIE, secret, max_age=COOKIE_AGE)
