"""Consent mailings (registry officers): the list with each mailing's figures and a form for a new one, a
mailing's page (figures, chasing), the A4 forms to print and the visit list (each person a logged look), and the
answers page: type the reply code off a returned form, mark the boxes, Enter — made for a pile of forms."""

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from toki.areas.models import District
from toki.areas.selectors import default_municipality_or_404
from toki.registry import mailings
from toki.registry.forms_apply import add_refusal
from toki.registry.models import Consent, RecipientClass, Scope
from toki.registry.models_mailings import Mailing
from toki.registry.permissions import may_keep_register
from toki.registry.views import render_registry

BLANK = ""
BOX_CHOICES = [(BLANK, _("Empty")), (Consent.State.CONSENTED.value, _("Agreed")),
               (Consent.State.DECLINED.value, _("Did not agree"))]


def box_name(recipient_class: str, scope: str) -> str:
    return f"box_{recipient_class}_{scope}"


class MailingForm(forms.Form):
    cohort = forms.ChoiceField(label=_("Who gets it"), choices=[
        (c.value, c.label) for c in (Mailing.Cohort.UNANSWERED, Mailing.Cohort.EXPIRING)])
    days = forms.IntegerField(label=_("Expiring within (days)"), required=False, min_value=1,
                              max_value=mailings.MAX_DAYS)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False,
                                      empty_label=_("All districts"))
    valid_years = forms.IntegerField(label=_("Answers valid for (years)"), min_value=1, max_value=5, initial=1)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(municipality=municipality).defer("boundary")


class ChaseForm(forms.Form):
    after_days = forms.IntegerField(label=_("Not answered after (days)"), min_value=0, max_value=365, initial=30)
    how = forms.ChoiceField(label=_("How"), choices=[("mail", _("A second mailing")),
                                                     ("visit", _("A visit by the welfare commissioner"))])


class AnswersForm(forms.Form):
    code = forms.CharField(label=_("Reply code"), max_length=20)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c in RecipientClass.values:
            for s in Scope.values:
                self.fields[box_name(c, s)] = forms.ChoiceField(choices=BOX_CHOICES, required=False,
                                                                widget=forms.RadioSelect, initial=BLANK)

    def rows(self):
        return [(RecipientClass(c).label, [self[box_name(c, s)] for s in Scope.values])
                for c in RecipientClass.values]

    def answers(self, everything: str = "") -> dict[str, str]:
        """The ticked boxes; `everything` (consented / declined) when the form was ticked the same throughout."""
        if everything in (Consent.State.CONSENTED, Consent.State.DECLINED):
            return {f"{c}:{s}": everything for c in RecipientClass.values for s in Scope.values}
        return {f"{c}:{s}": self.cleaned_data[box_name(c, s)] for c in RecipientClass.values for s in Scope.values
                if self.cleaned_data.get(box_name(c, s))}


def _require_keeper(request) -> None:
    if not may_keep_register(request.user):
        raise Http404


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mailing_list(request):
    _require_keeper(request)
    form = MailingForm(request.POST or None, municipality=default_municipality_or_404())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = mailings.create_mailing(actor=request.user, kind=data["cohort"], district=data["district"],
                                           days=data["days"], valid_years=data["valid_years"])
            return redirect("registry:mailing", pk=made.pk)
        except ValueError as refused:
            add_refusal(form, refused)
    shown = mailings.mailings_for(request.user)
    figures = mailings.figures_for(shown)
    rows = [(m, figures[m.pk]) for m in shown]
    return render_registry(request, "registry/mailings.html", {"form": form, "rows": rows},
                           status=400 if form.errors else 200)


def _mailing_or_404(request, pk: int) -> Mailing:
    _require_keeper(request)
    found = mailings.mailing_for(request.user, pk)
    if found is None:
        raise Http404
    return found


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mailing(request, pk: int):
    found = _mailing_or_404(request, pk)
    form = ChaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mailings.chase(actor=request.user, mailing=found, after_days=form.cleaned_data["after_days"],
                           how=form.cleaned_data["how"])
            return redirect("registry:mailing", pk=pk)
        except ValueError as refused:
            add_refusal(form, refused)
    after = form.cleaned_data["after_days"] if form.is_bound and form.is_valid() else 30
    return render_registry(request, "registry/mailing.html", {
        "mailing": found, "figures": mailings.figures(found), "form": form, "after_days": after,
        "waiting": len(mailings.non_responders(found, after_days=after)), "chases": found.chases.all()},
        status=400 if form.errors else 200)


def _qr_svg(code: str) -> str:
    return segno.make(code, error="m").svg_inline(scale=4, border=1, title=code)


@never_cache
@login_required
def mailing_print(request, pk: int):
    """One A4 page per person: the address block, the consent text version, the boxes, the reply code and its
    QR code (the code only: no personal data in it)."""
    found = _mailing_or_404(request, pk)
    forms_ = mailings.printed_forms(request.user, found)
    return render(request, "registry/mailing_print.html", {
        "mailing": found, "forms": [(f, _qr_svg(f.item.reply_code)) for f in forms_],
        "classes": RecipientClass.choices, "scopes": Scope.choices})


@never_cache
@login_required
def mailing_visits(request, pk: int):
    """The people the 民生委員 are asked to visit (not answered, visit requested), by district."""
    found = _mailing_or_404(request, pk)
    return render(request, "registry/mailing_visits.html", {
        "mailing": found, "forms": mailings.printed_forms(request.user, found, visits_only=True)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def answers(request):
    _require_keeper(request)
    today = timezone.localdate()
    received = request.POST.get("received_on") or request.GET.get("received_on") or today.isoformat()
    form = AnswersForm(request.POST or None, initial={"received_on": received})
    done = request.session.pop("toki_registry_answered", None)
    if request.method == "POST" and form.is_valid():
        item = mailings.item_by_code(request.user, form.cleaned_data["code"])
        if item is None:
            form.add_error("code", _("No form has this reply code. Check the code on the paper."))
        else:
            try:
                recorded = mailings.record_answers(actor=request.user, item=item,
                                                   answers=form.answers(request.POST.get("everything", "")),
                                                   received_on=form.cleaned_data["received_on"])
                request.session["toki_registry_answered"] = {"code": mailings.shown_code(recorded.reply_code),
                                                             **recorded.outcome}
                return redirect(f"{request.path}?received_on={form.cleaned_data['received_on'].isoformat()}")
            except ValueError as refused:
                add_refusal(form, refused)
    return render_registry(request, "registry/mailing_answers.html", {"form": form, "done": done},
                           status=400 if form.errors else 200)
