from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.accounts.models import OrgUnit
from toki.areas.models import District
from toki.lifelines.models import Kind, Lifeline, Status
from toki.lifelines.permissions import PARTNER_KINDS
from toki.lifelines.validation import report_errors

_DATETIME = {"type": "datetime-local"}
_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
_MESSAGES = {
    "status": _("Choose a status."),
    "source": _("Give the source (who says so, e.g. 佐渡汽船)."),
    "source_url": _("Enter an address starting with http:// or https://."),
    "as_of": _("The time cannot be in the future."),
    "expected_restoration_at": _("Expected restoration must be after the time of the status, and only for a "
                                 "lifeline that is not normal."),
}


class StatusReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, widget=forms.RadioSelect)
    detail = forms.CharField(label=_("Detail (residents read this)"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("For example: 欠航（高波のため）, 一部地域で停電, 片側交互通行."))
    source = forms.CharField(label=_("Source"), max_length=100,
                             help_text=_("Who says so, e.g. 東北電力ネットワーク, 佐渡汽船, 市水道課."))
    source_url = forms.URLField(label=_("Source address (URL)"), max_length=500, required=False,
                                assume_scheme="https")
    as_of = forms.DateTimeField(label=_("Status as of (Japan time)"), input_formats=_TIME_FORMATS,
                                widget=forms.DateTimeInput(attrs=_DATETIME, format="%Y-%m-%dT%H:%M"))
    expected_restoration_at = forms.DateTimeField(
        label=_("Expected restoration (Japan time, optional)"), required=False, input_formats=_TIME_FORMATS,
        widget=forms.DateTimeInput(attrs=_DATETIME, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, lifeline: Lifeline, **kwargs):
        kwargs.setdefault("initial", {
            "status": lifeline.status, "detail": lifeline.detail, "source": lifeline.source,
            "source_url": lifeline.source_url, "as_of": timezone.localtime().replace(second=0, microsecond=0),
            "expected_restoration_at": lifeline.expected_restoration_at,
        })
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        errors = report_errors(status=data["status"], source=data["source"], as_of=data["as_of"],
                               detail=data.get("detail", ""), source_url=data.get("source_url", ""),
                               expected_restoration_at=data.get("expected_restoration_at"))
        for name in errors:
            self.add_error(name, _MESSAGES.get(name, errors[name]))
        return data


class LifelineForm(forms.Form):
    """Adding or changing a lifeline (HQ editors)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("As residents know it, e.g. 佐渡汽船 両津–新潟 カーフェリー."))
    code = forms.SlugField(label=_("Code"), max_length=60,
                           help_text=_("Letters, digits and hyphens; imports name the lifeline by it."))
    district = forms.ModelChoiceField(label=_("District (optional)"), queryset=District.objects.none(),
                                      required=False)
    org_unit = forms.ModelChoiceField(
        label=_("Partner that may report its status (optional)"), queryset=OrgUnit.objects.none(), required=False,
    )
    scheduled_service = forms.BooleanField(label=_("Has scheduled service"), required=False, initial=True,
                                           help_text=_("Untick for an airport or route with no scheduled service."))
    sort_order = forms.IntegerField(label=_("Order within its kind"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, municipality, lifeline: Lifeline | None = None, **kwargs):
        self.municipality, self.lifeline = municipality, lifeline
        if lifeline is not None:
            kwargs.setdefault("initial", {
                "kind": lifeline.kind, "name": lifeline.name, "code": lifeline.code, "district": lifeline.district_id,
                "org_unit": lifeline.org_unit_id, "scheduled_service": lifeline.scheduled_service,
                "sort_order": lifeline.sort_order,
            })
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = municipality.districts.defer("boundary")
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(kind__in=PARTNER_KINDS).order_by("name")

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = Lifeline.objects.filter(municipality=self.municipality, code=code)
        if self.lifeline is not None:
            taken = taken.exclude(pk=self.lifeline.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another lifeline has this code."))
        return code
