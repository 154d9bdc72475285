"""Secrets that let a device in without a password (a household tablet's cookie, a bus's bearer token, a shared
ride's driver tablet): a random value the device keeps, stored on the server only as its SHA-256, so a copy of the
database opens nothing. One place for how they are made, hashed, carried and read."""

import hashlib
import secrets

from django.conf import settings

MAX_SECRET_LENGTH = 100  # longer than any secret made here: refused before hashing


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the server keeps of a secret (64 hex characters)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def cookie_secret(request, name: str) -> str:
    """The secret in the request's cookie `name`, or "" (absent or implausibly long)."""
    secret = request.COOKIES.get(name, "")
    return secret if 0 < len(secret) <= MAX_SECRET_LENGTH else ""


def bearer_secret(request) -> str:
    """The token of an `Authorization: Bearer <token>` header, or ""."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme == "Bearer" and 0 < len(token) <= MAX_SECRET_LENGTH else ""


def set_cookie(response, name: str, secret: str, *, max_age: int, path: str = "/") -> None:
    """The device's key as an HTTP-only cookie (never readable by the page's scripts)."""
    response.set_cookie(name, secret, max_age=max_age, path=path, httponly=True, samesite="Lax",
                        secure=not settings.DEBUG and getattr(settings, "SESSION_COOKIE_SECURE", False))
