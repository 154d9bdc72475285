"""A second factor and short sessions for registry roles (ASVS V6; registry.md §7): every registry page asks
anyone who may use the register for a TOTP code (django-otp's TOTPDevice: RFC 6238, replay refused, wrong codes
throttled) once per TOKI_REGISTRY_OTP_HOURS, and their session ends after TOKI_REGISTRY_IDLE_MINUTES without a
request. The first time, the page enrols an authenticator app (the secret as text and as a QR code).

No OTP middleware: the verification is this module's own session entry (the device id and the time), checked
against a confirmed device of the same user on every registry request."""

from datetime import datetime, timedelta
from functools import wraps

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from toki.registry import conf

SESSION_KEY = "toki_registry_otp"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_verified(request) -> bool:
    entry = request.session.get(SESSION_KEY) or {}
    try:
        at = datetime.fromisoformat(entry["at"])
    except (KeyError, TypeError, ValueError):
        return False
    if timezone.now() - at > timedelta(hours=conf.otp_hours()):
        return False
    return TOTPDevice.objects.filter(pk=entry.get("device"), user=request.user, confirmed=True).exists()


def mark_verified(request, device: TOTPDevice) -> None:
    request.session.cycle_key()  # a new session id once the second factor is in (no fixation)
    request.session[SESSION_KEY] = {"device": device.pk, "at": timezone.now().isoformat()}


def required(view):
    """For every registry view: a registry user without a fresh second factor is sent to give it; every
    registry request keeps the session at most TOKI_REGISTRY_IDLE_MINUTES idle. Others pass through (the view
    answers 404 to them as before)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        from django.shortcuts import redirect
        from django.utils.http import urlencode

        from toki.registry.permissions import may_use_registry

        if request.user.is_authenticated and may_use_registry(request.user):
            request.session.set_expiry(conf.idle_minutes() * 60)
            if not is_verified(request):
                return redirect(f"/registry/second-factor/?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
