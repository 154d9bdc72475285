from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from toki.accounts import actions


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form with a per-username lockout after repeated failures.

    The same messages are shown whether or not the username exists, so the form reveals nothing.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed attempts. This account is locked; try again in %(minutes)d minutes."),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        remaining = actions.lock_remaining(username)
        if remaining is not None:
            raise self._locked_error(remaining)
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            if actions.record_login_failure(username):
                raise self._locked_error(actions.lock_remaining(username))
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _locked_error(self, remaining):
        minutes = max(1, int(remaining.total_seconds() // 60) + 1)
        return forms.ValidationError(self.error_messages["locked"], code="locked", params={"minutes": minutes})


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=80)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=80)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
