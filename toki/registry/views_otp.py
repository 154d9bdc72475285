"""The registry's second-factor page: enrol an authenticator app the first time (the secret as text and as a
QR code drawn on the server), then give a six-digit code. Only for people who may use the register."""

import base64

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from toki.accounts import audit
from toki.registry import second_factor
from toki.registry.permissions import may_use_registry


class CodeForm(forms.Form):
    token = forms.RegexField(label=_("Six-digit code from your authenticator app"), regex=r"^\d{6}$",
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


def _qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=4)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_page(request):
    if not may_use_registry(request.user):
        raise Http404
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or \
            not target.startswith("/registry/"):
        target = "/registry/"
    device = second_factor.confirmed_device(request.user)
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or \
            TOTPDevice.objects.create(user=request.user, name="registry", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            second_factor.mark_verified(request, device)
            audit.record(actor=request.user, action="registry.second_factor_verified",
                         changes={"enrolled": enrolling})
            return redirect(target)
        form.add_error("token", _("That code is not valid now (or too many tries: wait a minute)."))
    context = {"form": form, "enrolling": enrolling, "next": target}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr"] = _qr_svg(device.config_url)
    return render(request, "registry/second_factor.html", context, status=400 if form.is_bound else 200)
