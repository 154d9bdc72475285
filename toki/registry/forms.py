"""HTML forms of the registry pages (validation only; the actions do the work)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District
from toki.registry.actions import MAX_ACTIVATION_HOURS
from toki.registry.actions_safety import MANUAL_SOURCES
from toki.registry.models import Safety, Step


class ActivationForm(forms.Form):
    districts = forms.ModelMultipleChoiceField(queryset=District.objects.none(), widget=forms.CheckboxSelectMultiple,
                                               label=_("Affected districts"))
    reason = forms.CharField(label=_("Why sharing is widened"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.IntegerField(label=_("For how many hours"), min_value=1, max_value=MAX_ACTIVATION_HOURS, initial=24)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = District.objects.filter(municipality=municipality).defer("boundary")


class ExtendForm(forms.Form):
    hours = forms.IntegerField(label=_("Until how many hours from now"), min_value=1, max_value=MAX_ACTIVATION_HOURS)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Review: was the widening needed and proportionate?"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))


class OpenRoundForm(forms.Form):
    districts = forms.ModelMultipleChoiceField(queryset=District.objects.none(), widget=forms.CheckboxSelectMultiple,
                                               label=_("Districts"))
    is_drill = forms.BooleanField(label=_("Drill"), required=False)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = District.objects.filter(municipality=municipality).defer("boundary")


class SafetyForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Safety.choices)
    source = forms.ChoiceField(label=_("Who answered"), choices=[(s.value, s.label) for s in MANUAL_SOURCES])
    step = forms.ChoiceField(label=_("How (the ladder)"), choices=[("", "—"), *Step.choices], required=False)
    relation = forms.CharField(label=_("Relation of who answered"), max_length=40, required=False)


class HouseholdLinkForm(forms.Form):
    """Which tablet household (community app) a person on the register lives in: those of the person's district."""

    household: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("Tablet household"))

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households  # type: ignore[attr-defined]
