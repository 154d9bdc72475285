"""手上げ: the public application form (anyone; large type; rate-limited per client address and for everyone)
and the officers' review queue, an application's page (a logged look) and the paper entry. No registry value
goes into a URL: the public form posts to itself and the thanks page shows nothing of what was sent."""

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from toki.areas.selectors import default_municipality_or_404
from toki.lib.client_address import client_address
from toki.registry import applications
from toki.registry.forms_apply import (
    CONSENT_KEYS,
    PaperApplicationForm,
    PublicApplicationForm,
    ReviewForm,
    consent_key,
)
from toki.registry.models import Consent, RecipientClass, Scope
from toki.registry.models_applications import Application
from toki.registry.permissions import may_keep_register
from toki.registry.views import render_registry


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    """The public form. A robot that fills in the hidden field is thanked and nothing is stored."""
    form = PublicApplicationForm(request.POST or None, municipality=default_municipality_or_404())
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return redirect("registry:apply_sent")
        if not applications.take_apply_slot(client_address(request)):
            return render(request, "registry/apply/limited.html", status=429)
        proxy = form.proxy()
        applications.submit_application(
            values=form.values(get_language() or "ja"), consents=form.consents(), proxy=proxy,
            source=Application.Source.WEB, consent_method=applications.web_consent_method(proxy))
        return redirect("registry:apply_sent")
    return render(request, "registry/apply/form.html", {"form": form, "text_version": applications.TEXT_VERSION},
                  status=400 if form.is_bound else 200)


@never_cache
def apply_sent(request):
    return render(request, "registry/apply/sent.html")


def _require_keeper(request) -> None:
    if not may_keep_register(request.user):
        raise Http404


@never_cache
@login_required
def queue(request):
    _require_keeper(request)
    state = request.GET.get("state", Application.State.PENDING)
    if state not in Application.State.values:
        state = Application.State.PENDING
    rows = applications.queue(request.user, state=state)
    return render_registry(request, "registry/apply/queue.html", {
        "rows": applications.with_possible_duplicates(rows), "state": state,
        "states": Application.State.choices})


def _received_at(day):
    """When a paper arrived: now if today, else noon of that day (the paper carries no time)."""
    return timezone.now() if day == timezone.localdate() else timezone.make_aware(datetime.combine(day, time(12)))


def _answers(found: Application) -> list[tuple[object, object, object]]:
    """(recipient class, scope, answer) labels of the consent boxes, in the form's order."""
    given = found.consents or {}
    return [(RecipientClass(c).label, Scope(s).label, Consent.State(given[consent_key(c, s)]).label)
            for c, s in CONSENT_KEYS if consent_key(c, s) in given]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def paper(request):
    """An officer types in a paper application for the person (source 紙, the officer recorded)."""
    _require_keeper(request)
    form = PaperApplicationForm(request.POST or None, municipality=default_municipality_or_404(),
                                initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        received = form.cleaned_data["received_on"]
        made = applications.submit_application(
            values=form.values(), consents=form.consents(), proxy=form.proxy(), source=Application.Source.PAPER,
            consent_method=form.cleaned_data["consent_method"], entered_by=request.user,
            received_at=_received_at(received))
        return redirect("registry:application", pk=made.pk)
    return render_registry(request, "registry/apply/paper.html", {"form": form,
                                                                  "text_version": applications.TEXT_VERSION},
                           status=400 if form.is_bound else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def application(request, pk: int):
    _require_keeper(request)
    form = ReviewForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        found = Application.objects.filter(pk=pk).first()
        if found is None:
            raise Http404
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                applications.approve_application(actor=request.user, application=found,
                                                 merge_into=data["merge_into"],
                                                 create_new=request.POST.get("create_new") == "1")
            else:
                applications.reject_application(actor=request.user, application=found, reason=data["reason"])
            return redirect("registry:application", pk=pk)
        except ValueError as refused:
            error = str(refused)
    found = applications.application_for(request.user, pk)
    if found is None:
        raise Http404
    return render_registry(request, "registry/apply/application.html", {
        "application": found, "values": found.values or {}, "duplicates": applications.duplicates(found),
        "consents": _answers(found), "form": form, "error": error},
        status=400 if error or form.errors else 200)
