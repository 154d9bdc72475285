from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.alerts import selectors
from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.alerts.forms import IssueOrderForm, LiftOrdersForm
from toki.alerts.permissions import is_alert_staff, may_issue_orders
from toki.areas.selectors import default_municipality


def _staff_municipality(request):
    municipality = default_municipality()
    if municipality is None or not is_alert_staff(request.user):
        raise Http404
    return municipality


def _order_groups(orders):
    """Orders in force grouped by (drill, hazard, level), each group liftable at once."""
    key = lambda o: (o.is_drill, o.hazard, o.level)  # noqa: E731
    return [{"key": k, "orders": list(g)} for k, g in groupby(sorted(orders, key=key), key=key)]


@login_required
def staff_alerts(request):
    """Everything received and issued, drills and tests included and marked, for HQ and branch staff."""
    municipality = _staff_municipality(request)
    alerts = selectors.alerts_for(request.user, municipality).order_by("-sent_at", "-id")[:50]
    return render(request, "alerts/staff_alerts.html", {
        "alerts": alerts,
        "warnings": selectors.warnings_in_force(municipality),
        "drill_warnings": selectors.warnings_in_force(municipality, drills=True),
        "quarantine": selectors.recent_quarantine(request.user),
        "feed_last_success": selectors.last_feed_success(),
    })


@login_required
def orders(request):
    municipality = _staff_municipality(request)
    can_issue = may_issue_orders(request.user)
    form = IssueOrderForm(request.POST or None, municipality=municipality)
    if request.method == "POST":
        if not can_issue:
            raise Http404
        if form.is_valid():
            try:
                issued = issue_evacuation_order(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Issued to %(n)d district(s).") % {"n": len(issued)})
                return redirect("alerts:orders")
    in_force = selectors.orders_for_staff(request.user, municipality)
    return render(request, "alerts/orders.html", {
        "form": form, "can_issue": can_issue, "groups": _order_groups(in_force),
    })


@login_required
@require_POST
def lift_orders(request):
    municipality = _staff_municipality(request)
    if not may_issue_orders(request.user):
        raise Http404
    form = LiftOrdersForm(request.POST, orders_queryset=selectors.orders_for_staff(request.user, municipality))
    if form.is_valid():
        try:
            lift_evacuation_orders(acting_user=request.user, orders=form.cleaned_data["orders"],
                                   reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Lifted."))
    else:
        messages.error(request, _("Give a reason for lifting."))
    return redirect("alerts:orders")
