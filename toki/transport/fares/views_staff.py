"""Fares staff pages: 準住民 applications to review (evidence opened audited), purchases and refunds."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from toki.transport.fares import actions, selectors
from toki.transport.fares.forms import ReviewForm
from toki.transport.fares.payments import ProviderError


@require_GET
@login_required
def staff(request):
    return render(request, "fares/staff.html", {
        "applications": selectors.pending_applications(request.user),
        "purchases": selectors.recent_purchases(request.user),
    })


@require_POST
@login_required
def review(request, pk: int):
    application = selectors.application_for_review(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return render(request, "fares/staff.html", {
            "applications": selectors.pending_applications(request.user),
            "purchases": selectors.recent_purchases(request.user), "form_errors": form.errors}, status=400)
    try:
        actions.review_quasi(acting_user=request.user, application=application,
                             approve=form.cleaned_data["decision"] == "approve",
                             valid_until=form.cleaned_data.get("valid_until"))
    except actions.FaresError as error:
        return render(request, "fares/error.html", {"message": str(error)}, status=400)
    return redirect("fares:staff")


@require_GET
@login_required
def evidence(request, pk: int):
    application = selectors.evidence_for_review(request.user, pk)
    try:
        handle = application.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=f"evidence-{application.pk}")


@require_POST
@login_required
def refund(request, pk: int):
    purchase = selectors.purchase_for_staff(request.user, pk)
    try:
        actions.refund_purchase(acting_user=request.user, purchase=purchase)
    except actions.FaresError as error:
        return render(request, "fares/error.html", {"message": str(error)}, status=400)
    except ProviderError:
        return render(request, "fares/error.html", {"code": "provider_unreachable"}, status=502)
    return redirect("fares:staff")
