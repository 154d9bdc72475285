from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from toki.accounts import actions, devices


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form, throttled per account and client (actions: login throttling).

    The same messages are shown whether or not the username exists, so the form reveals nothing. After a valid
    login, `throttle_client` and `device_id` tell the view which counter to clear and which device to remember.
    """

    throttle_client = ""
    device_id = None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        self.device_id = devices.known_device(self.request, username)
        self.throttle_client = devices.throttle_client(self.request, self.device_id)
        known = self.device_id is not None
        wait = actions.login_wait(username, self.throttle_client, known_device=known)
        if wait is not None:
            raise self._locked_error(wait)
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            wait = actions.record_login_failure(username, self.throttle_client, known_device=known)
            if wait is not None:
                raise self._locked_error(wait)
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _locked_error(self, wait):
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        return forms.ValidationError(ngettext(
            "Too many failed attempts from this device. Wait %(minutes)d minute and try again, or log in from a "
            "device you have used before.",
            "Too many failed attempts from this device. Wait %(minutes)d minutes and try again, or log in from a "
            "device you have used before.", minutes) % {"minutes": minutes}, code="locked")


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=80)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=80)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
