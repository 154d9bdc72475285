from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from toki.accounts import actions, devices, permissions, selectors
from toki.accounts.forms import AuditFilterForm, LockoutAuthenticationForm


class StaffLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        previous_login = user.last_login  # login() below moves it to now
        response = super().form_valid(form)
        actions.record_login_success(user, form.throttle_client)
        devices.remember(response, user, form.device_id)
        failures = selectors.failed_logins_since(user, previous_login)
        if failures:
            messages.warning(self.request, ngettext(
                "Since your last login, %(n)d attempt to log in to your account failed. If it was not you, tell an "
                "administrator of the disaster headquarters.",
                "Since your last login, %(n)d attempts to log in to your account failed. If it was not you, tell "
                "an administrator of the disaster headquarters.", failures) % {"n": failures})
        return response


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        actions.record_logout(request.user)
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("portal:home")


@login_required
def home(request):
    return render(request, "accounts/home.html", {
        "memberships": selectors.memberships_of(request.user),
        "can_view_audit": permissions.can_view_audit(request.user),
        "can_unlock_logins": permissions.may_unlock_logins(request.user),
    })


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.change_password(acting_user=request.user, user=request.user,
                                new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def held_logins(request):
    """Accounts whose login is held back by failed attempts, with a button to lift the hold (HQ admins)."""
    if not permissions.may_unlock_logins(request.user):
        raise Http404
    return render(request, "accounts/held_logins.html", {"held": selectors.held_logins_for(request.user)})


@login_required
@require_POST
def unlock_login(request, pk):
    user = selectors.get_account_to_unlock(request.user, pk)
    actions.unlock_login(acting_user=request.user, user=user)
    messages.success(request, _("%(name)s can log in again from every device.") % {"name": user.username})
    return redirect("accounts:held_logins")


@login_required
def audit_log(request):
    if not permissions.can_view_audit(request.user):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events_for(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
