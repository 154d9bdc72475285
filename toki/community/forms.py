"""Staff forms: a household, a published item."""

from django import forms
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District
from toki.community.models import Han, Item, Jichikai


class HouseholdForm(forms.Form):
    label = forms.CharField(label=_("Household (as shown on its tablet)"), max_length=100)
    resident_name = forms.CharField(label=_("Resident's name"), max_length=100, required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none())
    jichikai = forms.ModelChoiceField(label=_("自治会"), queryset=Jichikai.objects.none(), required=False)
    han = forms.ModelChoiceField(label=_("班"), queryset=Han.objects.none(), required=False)
    watch_over = forms.BooleanField(label=_("Daily watch-over"), required=False)
    watch_hours = forms.IntegerField(label=_("Hours without a sign before a message"), min_value=1,
                                     max_value=168, initial=24)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(municipality=municipality).defer("boundary")
        self.fields["jichikai"].queryset = Jichikai.objects.filter(municipality=municipality)
        self.fields["han"].queryset = Han.objects.filter(jichikai__municipality=municipality).select_related(
            "jichikai")


class WatchForm(forms.Form):
    watch_over = forms.BooleanField(label=_("Daily watch-over"), required=False)
    watch_hours = forms.IntegerField(label=_("Hours without a sign before a message"), min_value=1, max_value=168)


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Item.Kind.choices)
    jichikai = forms.ModelChoiceField(label=_("自治会"), queryset=Jichikai.objects.none(), required=False)
    han = forms.ModelChoiceField(label=_("班 (empty: the whole 自治会)"), queryset=Han.objects.none(),
                                 required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text (large type on the tablet)"), widget=forms.Textarea(attrs={"rows": 10}))
    event_at = forms.DateTimeField(label=_("Event date and time (events only)"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    attachment = forms.FileField(label=_("Attachment (PDF, JPEG or PNG; the newsletter's PDF)"), required=False)

    def __init__(self, *args, jichikai_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jichikai"].queryset = jichikai_choices
        self.fields["han"].queryset = Han.objects.filter(jichikai__in=jichikai_choices).select_related("jichikai")
