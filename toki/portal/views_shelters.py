"""Public shelter pages of residents: 事前登録 (pre-registration with a personal QR code) and the 安否 search.

Pre-registration needs no account: the household id is kept in the resident's own session only, so the card
page and its QR image are reachable from that browser and nowhere else (no id or personal data in URLs). The
安否 search answers only "checked in at <shelter>", for people whose household consented, on an EXACT name and
birth date, rate limited per client and for everyone together (429). Pre-registration is rate limited too, per
client address and in total (anyone can pre-register anyone: security issue 13, finding 4)."""

import io

import segno
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from toki.areas.selectors import default_municipality
from toki.lib.client_address import client_address
from toki.shelters import forms, selectors
from toki.shelters.actions import households as household_actions
from toki.shelters.models import Household

SESSION_KEY = "toki_shelter_preregistration"


def _municipality():
    municipality = default_municipality()
    if municipality is None:
        raise Http404
    return municipality


@never_cache
def pre_register(request):
    municipality = _municipality()
    shelters = selectors.designated_shelters(municipality)
    form = forms.PreRegistrationForm(request.POST or None, shelters=shelters)
    formset = forms.PreRegistrationMemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        planned = data.pop("planned_shelter")
        data.pop("consent")
        members = _family(formset)
        if not any(m.get("name_kana") for m in members):
            formset.forms[0].add_error("name_kana", _("Give at least one name in kana."))
        elif any(f.errors for f in formset):
            pass  # a person with details but no name: said next to that person
        elif not household_actions.take_preregistration_slot(client_address(request)):
            return render(request, "portal/preregister_limited.html", {
                "minutes": int(household_actions.PRE_REGISTRATION_WINDOW.total_seconds() // 60)}, status=429)
        else:
            household = household_actions.pre_register(municipality=municipality, household=data,
                                                       members=members, planned_shelter=planned)
            request.session[SESSION_KEY] = str(household.pk)
            return redirect("portal:preregistration_card")
    return render(request, "portal/preregister.html", {"form": form, "formset": formset})


def _family(formset) -> list[dict]:
    """The people filled in (a fieldset left empty is skipped); one with details but no name gets an error."""
    members = []
    for member_form in formset:
        data = member_form.cleaned_data
        if not data or not member_form.has_changed():
            continue
        if not (data.get("name_kana") or data.get("name")):
            member_form.add_error("name_kana", _("Give this person's name, or leave the whole person empty."))
            continue
        members.append({k: v for k, v in data.items() if k != "id"})
    return members


def _own_household(request) -> Household:
    household_id = request.session.get(SESSION_KEY)
    household = selectors.own_household(household_id)
    if household is None or not household.qr_token:
        raise Http404
    return household


def _qr(household: Household):
    return segno.make(household.qr_payload, error="m")


@never_cache
def preregistration_card(request):
    """The printable card with the QR code: keep it on the phone (screenshot) or print it."""
    household = _own_household(request)
    if request.method == "POST" and request.POST.get("reissue"):
        household = household_actions.reissue_qr(acting_user=None, household=household)
        return redirect("portal:preregistration_card")
    qr = _qr(household)
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title="QR")
    members = list(household.members.all())
    return render(request, "portal/preregistration_card.html", {
        "household": household, "members": members, "qr_svg": buffer.getvalue().decode(),
        "card_image": _card_image(qr, household, members)})


def _card_image(qr, household: Household, members) -> dict:
    """What the card image (a PNG the reader's browser draws, static/js/qr-card.js) shows: the QR modules, the
    names and short instructions in the reader's language. Drawn on the device because its fonts have every
    character of a name; the server has no such font (without JavaScript the plain QR image is downloaded)."""
    return {
        "modules": ["".join("1" if cell else "0" for cell in row) for row in qr.matrix],
        "title": _("Shelter check-in card"),
        "names": [" ".join(part for part in (m.name_kana, m.name) if part) for m in members],
        "shelter": (_("Planned shelter") + ": " + household.planned_shelter.name) if household.planned_shelter
        else "",
        "instructions": [_("Show this code at the shelter desk: everyone on this card is checked in at once."),
                         _("Keep it on your phone or print it. It holds no personal information.")],
        "file": "toki-shelter-card.png",
    }


@never_cache
def preregistration_qr_png(request):
    household = _own_household(request)
    buffer = io.BytesIO()
    _qr(household).save(buffer, kind="png", scale=10, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="toki-shelter-qr.png"'
    return response


def safety_search(request):
    """安否: is this person checked in at a shelter? Only with consent, only on an exact match. Rate limited."""
    municipality = _municipality()
    form = forms.SafetySearchForm(request.POST or None)
    answered, searched = [], False
    if request.method == "POST" and form.is_valid():
        # The client is the reader behind nginx, not nginx itself (toki.lib.client_address).
        if not household_actions.take_safety_search_slot(client_address(request)):
            return render(request, "portal/safety_search_limited.html", {
                "minutes": int(household_actions.SAFETY_SEARCH_WINDOW.total_seconds() // 60)}, status=429)
        answered = selectors.safety_search(municipality, **form.cleaned_data)
        household_actions.record_safety_search(answered=len(answered))
        searched = True
    return render(request, "portal/safety_search.html", {"form": form, "answered": answered, "searched": searched})
