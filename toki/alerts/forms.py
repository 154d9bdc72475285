import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from toki.alerts.models import EvacuationOrder
from toki.areas.models import District

REAL, DRILL = "real", "drill"


class IssueOrderForm(forms.Form):
    """The order, then a review step (toki/alerts/review.py) before it is issued. Real or drill is a choice of its
    own, first on the form and with no default, never a checkbox beside the button; the idempotency key (a uuid
    made when the empty form is shown) travels through the review, so a resubmitted confirmation is recognised
    and never sends twice."""

    is_drill = forms.TypedChoiceField(
        label=_("Real order or drill?"),
        choices=((REAL, _("Real order: residents are notified")),
                 (DRILL, _("Drill (訓練): not published, LINE to the test audience only"))),
        coerce=lambda value: value == DRILL, widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether this is a real order or a drill.")})
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts"), queryset=District.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one district.")},
    )
    level = forms.TypedChoiceField(label=_("Level"), choices=EvacuationOrder.Level.choices, coerce=int,
                                   widget=forms.RadioSelect)
    hazard = forms.ChoiceField(label=_("Hazard"), choices=EvacuationOrder.Hazard.choices)
    reason = forms.CharField(label=_("Reason (residents read this)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "required": _("This form is out of date: reload the page and fill it in again."),
        "invalid": _("This form is out of date: reload the page and fill it in again.")})

    def __init__(self, *args, municipality, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = municipality.districts.defer("boundary")
        self.fields["districts"].label_from_instance = lambda d: d.name

    def hidden_values(self) -> list[tuple[str, str]]:
        """The submitted values as (name, value) pairs, carried through the review step in hidden inputs."""
        data = self.cleaned_data
        return [("is_drill", DRILL if data["is_drill"] else REAL),
                *(("districts", str(d.pk)) for d in data["districts"]),
                ("level", str(data["level"])), ("hazard", data["hazard"]), ("reason", data["reason"]),
                ("idempotency_key", str(data["idempotency_key"]))]


class LiftOrdersForm(forms.Form):
    orders = forms.ModelMultipleChoiceField(queryset=EvacuationOrder.objects.none(),
                                            widget=forms.MultipleHiddenInput)
    reason = forms.CharField(label=_("Reason for lifting"), max_length=1000)

    def __init__(self, *args, orders_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].queryset = orders_queryset
