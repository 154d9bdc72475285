"""The registry's second-factor pages, only for people who may use the register:

- the second factor: enrol an authenticator app the first time (the secret as text and as a QR code drawn on the
  server; then the recovery codes, shown once), then a six-digit code — or a one-time recovery code;
- the user's recovery codes: how many are left, make new ones (shown once; the old ones void);
- for administrators: reset another user's lost authenticator, with a reason and their own code given again."""

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
from toki.accounts.models import User
from toki.registry import recovery, second_factor
from toki.registry.permissions import may_reset_second_factor, may_use_registry
from toki.registry.views import render_registry

TOKEN = forms.RegexField(label=_("Six-digit code from your authenticator app"), regex=r"^\d{6}$",
                         widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class CodeForm(forms.Form):
    token = forms.RegexField(label=TOKEN.label, regex=r"^\d{6}$", required=False, widget=TOKEN.widget)
    recovery_code = forms.CharField(label=_("Or a recovery code (lost phone)"), max_length=20, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args, enrolling: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if enrolling:
            del self.fields["recovery_code"]  # no codes before the first device

    def clean(self):
        data = super().clean()
        if not data.get("token") and not data.get("recovery_code") and not self.errors:
            raise forms.ValidationError(_("Enter the six-digit code (or a recovery code)."))
        return data


def _qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=4)


def _target(request) -> str:
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or \
            not target.startswith("/registry/"):
        target = "/registry/"
    return target


def _check(device: TOTPDevice, form: CodeForm, user) -> str:
    """Which factor opened it ("totp", "recovery") or "" — every failure counts toward django-otp's throttle."""
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        return ""
    if form.cleaned_data.get("token") and device.verify_token(form.cleaned_data["token"]):
        return "totp"
    if form.cleaned_data.get("recovery_code"):
        if recovery.use(user, form.cleaned_data["recovery_code"]):
            device.throttle_reset()
            return "recovery"
        device.throttle_increment()
    return ""


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_page(request):
    if not may_use_registry(request.user):
        raise Http404
    target = _target(request)
    device = second_factor.confirmed_device(request.user)
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or \
            TOTPDevice.objects.create(user=request.user, name="registry", confirmed=False)
    form = CodeForm(request.POST or None, enrolling=enrolling)
    if request.method == "POST" and form.is_valid():
        factor = _check(device, form, request.user)
        if factor:
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            second_factor.mark_verified(request, device)
            audit.record(actor=request.user, action="registry.second_factor_verified",
                         changes={"enrolled": enrolling, "factor": factor})
            if enrolling:  # the recovery codes, shown this once
                return render(request, "registry/recovery_codes.html",
                              {"codes": recovery.generate(request.user), "next": target, "enrolled": True})
            return redirect(target)
        form.add_error(None, _("That code is not valid now (or too many tries: wait a minute)."))
    context = {"form": form, "enrolling": enrolling, "next": target}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr"] = _qr_svg(device.config_url)
    return render(request, "registry/second_factor.html", context, status=400 if form.is_bound else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """How many recovery codes are left; POST makes new ones, shown once (the old ones void)."""
    if not may_use_registry(request.user):
        raise Http404
    codes = recovery.generate(request.user) if request.method == "POST" else []
    return render_registry(request, "registry/recovery_codes.html", {
        "codes": codes, "remaining": recovery.remaining(request.user), "next": "/registry/"})


class ResetForm(forms.Form):
    username = forms.CharField(label=_("User whose authenticator is lost"), max_length=150)
    reason = forms.CharField(label=_("Why (e.g. phone lost, how the person was identified)"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))
    token = forms.RegexField(label=_("Your own six-digit code"), regex=r"^\d{6}$", widget=TOKEN.widget)

    def clean_username(self):
        user = User.objects.filter(username=self.cleaned_data["username"], is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user has this username."))
        return user


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reset_page(request):
    """An administrator resets another user's lost authenticator: audited, and only with the administrator's own
    code given again here (their fresh second factor is already required to open the page)."""
    if not may_reset_second_factor(request.user):
        raise Http404
    form, done = ResetForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        own = second_factor.confirmed_device(request.user)
        allowed = own is not None and own.verify_is_allowed()[0]
        if not allowed or not own.verify_token(form.cleaned_data["token"]):
            form.add_error("token", _("That code is not valid now (or too many tries: wait a minute)."))
        else:
            try:
                recovery.reset_second_factor(actor=request.user, target=form.cleaned_data["username"],
                                             reason=form.cleaned_data["reason"])
                done = form.cleaned_data["username"]
                form = ResetForm()
            except ValueError as refused:
                form.add_error("username", str(refused))
    return render_registry(request, "registry/second_factor_reset.html", {"form": form, "done": done},
                           status=400 if form.is_bound and form.errors else 200)
