from django import forms
from django.utils.translation import gettext_lazy as _

from toki.alerts.models import EvacuationOrder
from toki.areas.models import District


class IssueOrderForm(forms.Form):
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts"), queryset=District.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one district.")},
    )
    level = forms.TypedChoiceField(label=_("Level"), choices=EvacuationOrder.Level.choices, coerce=int,
                                   widget=forms.RadioSelect)
    hazard = forms.ChoiceField(label=_("Hazard"), choices=EvacuationOrder.Hazard.choices)
    reason = forms.CharField(label=_("Reason (residents read this)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    is_drill = forms.BooleanField(label=_("Drill (not published)"), required=False)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = municipality.districts.defer("boundary")
        self.fields["districts"].label_from_instance = lambda d: d.name


class LiftOrdersForm(forms.Form):
    orders = forms.ModelMultipleChoiceField(queryset=EvacuationOrder.objects.none(),
                                            widget=forms.MultipleHiddenInput)
    reason = forms.CharField(label=_("Reason for lifting"), max_length=1000)

    def __init__(self, *args, orders_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].queryset = orders_queryset
