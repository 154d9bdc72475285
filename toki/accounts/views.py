from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.accounts import actions, selectors
from toki.accounts.forms import AuditFilterForm, LockoutAuthenticationForm


class StaffLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        actions.record_login_success(form.get_user())
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
        "can_view_audit": selectors.can_view_audit(request.user),
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
def audit_log(request):
    if not selectors.can_view_audit(request.user):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events_for(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
