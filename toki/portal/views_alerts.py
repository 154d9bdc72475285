"""The public alerts page: what is in force now, and the timeline of past alerts, filterable by district and kind."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from toki.alerts.models import Alert
from toki.alerts.rendering import render as render_alert
from toki.alerts.selectors import public_alerts
from toki.areas.selectors import default_municipality
from toki.portal.situation import situation


class TimelineFilter(forms.Form):
    category = forms.ChoiceField(label=_("Kind"), required=False,
                                 choices=[("", _("All kinds")), *Alert.Category.choices])
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("All districts"))] + [
            (d.code, d.name) for d in municipality.districts.defer("boundary")
        ]


def _filtered(alerts, data: dict):
    if data.get("category"):
        alerts = alerts.filter(category=data["category"])
    if data.get("district"):
        # City orders name their districts; JMA and CAP alerts for the whole municipality concern every district.
        district = data["district"]
        alerts = alerts.filter(
            ~Q(source=Alert.Source.CITY)
            | Q(issued_orders__district__code=district)
            | Q(lifted_orders__district__code=district)
        ).distinct()
    return alerts


def _entries(alerts) -> list[dict]:
    language = translation.get_language() or "ja"
    return [
        {"alert": alert, "text": render_alert(alert.facts, language, msg_type=alert.msg_type)}
        for alert in alerts
    ]


def warnings_page(request):
    municipality = default_municipality()
    if municipality is None:
        return render(request, "portal/warnings.html", {"entries": [], "form": None})
    form = TimelineFilter(request.GET or None, municipality=municipality)
    data = form.cleaned_data if form.is_valid() else {}
    timeline = _filtered(public_alerts(municipality), data).order_by("-sent_at", "-id")
    page = Paginator(timeline, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/warnings.html", {
        **situation(municipality), "form": form, "page": page, "entries": _entries(page.object_list),
        "query": query.urlencode(),
    })
