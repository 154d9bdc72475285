"""Staff pages of the delivery outbox (/notify/): per notification the recipients and their states, the dead and
failed batches with a button to send them again, and the KPI figures as JSON. HQ staff only; anyone else 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality
from toki.lib.date_range import DateRangeForm, default_range
from toki.notify import kpi, permissions, selectors
from toki.notify.actions.sending import retry_batch
from toki.notify.models import Notification


def _municipality_for(user):
    municipality = default_municipality()
    if municipality is None or not permissions.may_view_deliveries(user):
        raise Http404
    return municipality


@login_required
def deliveries(request):
    municipality = _municipality_for(request.user)
    notifications = list(selectors.notifications_for(request.user, municipality)[:100])
    problems = list(selectors.problem_batches_for(request.user, municipality)[:100])
    return render(request, "notify/deliveries.html", {
        "notifications": notifications, "problems": problems,
        "may_retry": permissions.may_retry_deliveries(request.user),
    })


@login_required
def notification_detail(request, pk: int):
    municipality = _municipality_for(request.user)
    try:
        notification = selectors.get_notification_for_user(request.user, municipality, pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    return render(request, "notify/notification.html", {
        "notification": notification, "batches": list(selectors.batches_of(request.user, notification)),
        "may_retry": permissions.may_retry_deliveries(request.user),
    })


@login_required
@require_POST
def retry(request, pk: int):
    municipality = _municipality_for(request.user)
    if not permissions.may_retry_deliveries(request.user):
        raise Http404
    batch = selectors.problem_batches_for(request.user, municipality).filter(pk=pk).first()
    if batch is None:
        raise Http404
    if retry_batch(acting_user=request.user, batch=batch):
        messages.success(request, _("The batch is being sent again with the same retry key."))
    else:
        messages.error(request, _("This batch can no longer be sent again: LINE keeps a retry key for 24 hours."))
    return redirect("notify:notification", pk=batch.notification_id)


def kpi_json(request):
    """公式LINE登録者数 per day and LINE deliveries per month, for the KPI module. Anyone but HQ staff: 404."""
    municipality = default_municipality()
    if municipality is None or not permissions.may_view_deliveries(request.user):
        raise Http404
    form = DateRangeForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    start, end = (form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_bound else default_range(
        timezone.localdate())
    report = kpi.notify_kpi_report(request.user, municipality=municipality, start=start, end=end)
    response = JsonResponse(report, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def test_audience(request):
    """Who receives drills and tests, the code to join from one's own phone, and a button to remove each."""
    municipality = _municipality_for(request.user)
    if not permissions.may_manage_test_audience(request.user):
        raise Http404
    from toki.notify.actions.test_audience import join_code

    return render(request, "notify/test_audience.html", {
        "members": list(selectors.test_audience(request.user, municipality)),
        "join_code": join_code(municipality),
    })


@login_required
@require_POST
def test_audience_remove(request, pk: int):
    municipality = _municipality_for(request.user)
    member = selectors.test_audience(request.user, municipality).filter(pk=pk).first()
    if member is None:
        raise Http404
    from toki.notify.actions.test_audience import remove_from_test_audience

    remove_from_test_audience(acting_user=request.user, subscriber=member)
    messages.success(request, _("Removed from the test audience: it receives no more drills or tests."))
    return redirect("notify:test_audience")
