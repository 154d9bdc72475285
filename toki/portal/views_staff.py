"""The portal's staff pages (disaster-mode switch, KPIs) and the public survey endpoint. Mounted at /portal/."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from toki.areas.selectors import default_municipality
from toki.lib.date_range import DateRangeForm, default_range
from toki.portal import analytics, kpi
from toki.portal.actions import set_disaster_mode, submit_survey_answer
from toki.portal.models import MODE_MESSAGE_MAX, SURVEY_COMMENT_MAX
from toki.portal.permissions import may_switch_mode, may_view_kpi
from toki.portal.site_mode import site_mode_for

SURVEY_LIMIT = 30  # answers per hour from one IP address (many phones can share one carrier address)
SURVEY_WINDOW = 3600


# --- disaster mode ------------------------------------------------------------------------------------------

class ModeForm(forms.Form):
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), widget=forms.RadioSelect, choices=[
        ("normal", gettext_lazy("Normal times")), ("disaster", gettext_lazy("Disaster mode"))])
    message = forms.CharField(label=gettext_lazy("Message at the top of every public page (Japanese)"),
                              required=False, max_length=MODE_MESSAGE_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))
    message_en = forms.CharField(label=gettext_lazy("Message in English (optional)"), required=False,
                                 max_length=MODE_MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("mode") == "disaster" and not (data.get("message") or "").strip():
            self.add_error("message", _("Write the message residents will see in disaster mode."))
        return data


@login_required
def mode(request):
    municipality = default_municipality()
    if municipality is None or not may_switch_mode(request.user):
        raise Http404
    current = site_mode_for(request.user, municipality)
    initial = {"mode": "disaster" if current and current.disaster_mode else "normal",
               "message": current.message if current else "", "message_en": current.message_en if current else ""}
    form = ModeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_disaster_mode(acting_user=request.user, municipality=municipality,
                              on=form.cleaned_data["mode"] == "disaster", message=form.cleaned_data["message"],
                              message_en=form.cleaned_data["message_en"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if form.cleaned_data["mode"] == "disaster":
                messages.success(request, _("Disaster mode is on."))
            else:
                messages.success(request, _("The site is back in normal mode."))
            return redirect("portal_staff:mode")
    return render(request, "portal/staff/mode.html", {"form": form, "current": current})


# --- KPIs ---------------------------------------------------------------------------------------------------

def _kpi_range(request):
    form = DateRangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    start, end = default_range(timezone.localdate())
    return form, start, end


@login_required
def kpi_page(request):
    municipality = default_municipality()
    if municipality is None or not may_view_kpi(request.user):
        raise Http404
    form, start, end = _kpi_range(request)
    report = kpi.kpi_report(request.user, municipality=municipality, start=start, end=end)
    return render(request, "portal/staff/kpi.html", {"form": form, "report": report})


def kpi_json(request):
    """The same figures as JSON, for the KPI module to come. Anyone but HQ staff gets a 404 (no login redirect)."""
    municipality = default_municipality()
    if municipality is None or not may_view_kpi(request.user):
        raise Http404
    form, start, end = _kpi_range(request)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    report = kpi.kpi_report(request.user, municipality=municipality, start=start, end=end)
    response = JsonResponse(report, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


# --- the survey (public) ------------------------------------------------------------------------------------

class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(coerce=int, choices=[(n, n) for n in range(1, 6)])
    comment = forms.CharField(required=False, max_length=SURVEY_COMMENT_MAX)


def _back(request, state: str) -> HttpResponseRedirect:
    """Back to the page the form was on, with ?survey=<state> for the form to show and #survey to land on it."""
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()) or not next_url.startswith("/"):
        next_url = "/"
    parts = urlsplit(next_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "survey"] + [("survey", state)]
    response = HttpResponseRedirect(urlunsplit(("", "", parts.path, urlencode(query), "survey")))
    response.status_code = 303
    return response


def _cross_site(request) -> bool:
    """The cookie-free stand-in for a CSRF token: browsers say where a form post comes from."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    return bool(origin) and origin != "null" and urlsplit(origin).netloc != request.get_host()


def _over_limit(request, day) -> bool:
    """At most SURVEY_LIMIT answers an hour from one address. The cache key is a salted hash of the address,
    never the address itself."""
    key = "toki:portal:survey-rate:" + analytics.address_hash(request, day)
    cache.add(key, 0, SURVEY_WINDOW)
    try:
        return cache.incr(key) > SURVEY_LIMIT
    except ValueError:  # expired between add and incr
        cache.set(key, 1, SURVEY_WINDOW)
        return False


@csrf_exempt  # public pages set no cookie, so there is no CSRF cookie to check; see docs/portal-kpi.md
@require_POST
def survey(request):
    if request.POST.get("website") or analytics.is_bot(request.headers.get("User-Agent", "")):
        return _back(request, "thanks")  # the honeypot was filled in: say thanks, store nothing
    if _cross_site(request):
        return _back(request, "refused")
    day = timezone.localdate()
    if _over_limit(request, day):
        return _back(request, "busy")
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return _back(request, "error")
    submit_survey_answer(acting_user=request.user, day=day, visitor_hash=analytics.visitor_hash(request, day),
                         rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
    return _back(request, "thanks")
