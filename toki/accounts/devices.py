"""Known devices of the staff login: a signed, long-lived cookie set on a successful login.

A correct password from a device that logged in as that account before is never held up by failures from other
clients (OWASP's "device cookies" defence against lockout), so an attacker cannot lock the HQ out. The cookie
holds the user id, a random device id and a hash bound to the password hash, signed with SECRET_KEY: it cannot
be made up, and changing the password retires every device cookie of the account.
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

from toki.accounts.models import User
from toki.lib.client_address import client_address

COOKIE_NAME = "toki_known_device"
_SALT = "toki.accounts.known-device"


def _max_age() -> int:
    return settings.TOKI_LOGIN_DEVICE_DAYS * 24 * 3600


def _password_tag(user: User) -> str:
    return salted_hmac(_SALT, user.password, algorithm="sha256").hexdigest()[:32]


def known_device(request, username: str) -> str | None:
    """The device id of the request's known-device cookie when it was issued to `username` (with the current
    password); None for any other request."""
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=_SALT, max_age=_max_age())
    if not value:
        return None
    try:
        user_id, device_id, tag = value.split(":")
    except ValueError:
        return None
    user = User.objects.filter(pk=user_id if user_id.isdigit() else 0, username__iexact=username.strip()).first()
    if user is None or not user.is_active or not secrets.compare_digest(tag, _password_tag(user)):
        return None
    return device_id


def remember(response, user: User, device_id: str | None = None) -> None:
    """Set (or renew) the known-device cookie for `user` on the response of a successful login."""
    value = f"{user.pk}:{device_id or secrets.token_urlsafe(18)}:{_password_tag(user)}"
    response.set_signed_cookie(COOKIE_NAME, value, salt=_SALT, max_age=_max_age(), path="/accounts/",
                               httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)


def throttle_client(request, device_id: str | None) -> str:
    """The login throttle's client: the known device (see known_device), else the client address
    (toki/lib/client_address.py); stored only as a keyed hash."""
    value = f"device:{device_id}" if device_id else f"address:{client_address(request)}"
    return salted_hmac("toki.accounts.login-client", value, algorithm="sha256").hexdigest()
