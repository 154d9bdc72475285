"""Disaster activation pages (第49条の11第3項), HQ administrators only: declare one for the affected districts with
a reason and an expiry, extend or end it, and review it afterwards beside who looked at whom under it."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from toki.areas.selectors import default_municipality_or_404
from toki.registry import actions, selectors
from toki.registry.forms import ActivationForm, ExtendForm, ReviewForm
from toki.registry.permissions import may_declare_activation
from toki.registry.views import render_registry


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def activations(request):
    if not may_declare_activation(request.user):
        raise Http404
    municipality = default_municipality_or_404()
    form = ActivationForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        activation = actions.declare_activation(
            actor=request.user, districts=form.cleaned_data["districts"], reason=form.cleaned_data["reason"],
            expires_at=timezone.now() + timedelta(hours=form.cleaned_data["hours"]))
        return redirect("registry:activation", pk=activation.pk)
    return render_registry(request, "registry/activations.html", {
        "form": form, "all": selectors.activations_for(request.user), "now": timezone.now()},
        status=400 if form.is_bound else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def activation(request, pk: int):
    found = selectors.get_activation_for(request.user, pk)
    if found is None:
        raise Http404
    extend, review, error = ExtendForm(prefix="extend"), ReviewForm(prefix="review"), ""
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "end":
                actions.end_activation(actor=request.user, activation=found)
                return redirect("registry:activation", pk=pk)
            if op == "extend":
                extend = ExtendForm(request.POST, prefix="extend")
                if extend.is_valid():
                    actions.extend_activation(actor=request.user, activation=found, expires_at=timezone.now()
                                              + timedelta(hours=extend.cleaned_data["hours"]))
                    return redirect("registry:activation", pk=pk)
            elif op == "review":
                review = ReviewForm(request.POST, prefix="review")
                if review.is_valid():
                    actions.review_activation(actor=request.user, activation=found, note=review.cleaned_data["note"])
                    return redirect("registry:activation", pk=pk)
            else:
                error = _("op: one of end, extend, review")
        except ValueError as refused:
            error = str(refused)
    now = timezone.now()
    status = 400 if request.method == "POST" else 200
    return render_registry(request, "registry/activation.html", {
        "activation": found, "live": found.is_live(now), "extend": extend, "review": review, "error": error,
        "looks": selectors.looks_under(found)}, status=status)
