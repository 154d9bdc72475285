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
from toki.alerts.review import order_review
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
    """The orders in force and the issue form. Issuing takes two steps: the form's POST shows the review (what
    goes out, to whom, on which channels, real or drill), and only the review's confirmation (step=confirm)
    issues. Its idempotency key makes a second confirmation (double click, reload, back button) a no-op."""
    municipality = _staff_municipality(request)
    can_issue = may_issue_orders(request.user)
    form = IssueOrderForm(request.POST or None, municipality=municipality)
    if request.method == "POST":
        if not can_issue:
            raise Http404
        step = request.POST.get("step", "review")
        if step != "edit" and form.is_valid():
            if step == "confirm":
                return _issue(request, municipality, form)
            data = form.cleaned_data
            return render(request, "alerts/order_review.html", {
                "form": form, "review": order_review(
                    municipality=municipality, districts=data["districts"], level=data["level"],
                    hazard=data["hazard"], reason=data["reason"], is_drill=data["is_drill"])})
    in_force = selectors.orders_for_staff(request.user, municipality)
    return render(request, "alerts/orders.html", {
        "form": form, "can_issue": can_issue, "groups": _order_groups(in_force),
    })


def _issue(request, municipality, form):
    data = dict(form.cleaned_data)
    key = data.pop("idempotency_key")
    repeated = selectors.orders_issued_with(municipality, key) is not None  # for the message only
    try:
        issued = issue_evacuation_order(acting_user=request.user, idempotency_key=key, **data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(request, "alerts/orders.html", {
            "form": form, "can_issue": True,
            "groups": _order_groups(selectors.orders_for_staff(request.user, municipality))})
    if repeated:
        messages.info(request, _("This order was already issued from this form; nothing was issued or sent again."))
    else:
        messages.success(request, _("Issued to %(n)d district(s).") % {"n": len(issued)})
    return redirect("alerts:orders")


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
