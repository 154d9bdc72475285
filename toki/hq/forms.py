"""HTML forms of the HQ pages. They check shape and give clear messages; the actions check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from toki.accounts.models import OrgUnit, User
from toki.hq.models import ChronologyCategory, HqStatus, IncidentKind, Instruction
from toki.hq.selectors import staff_org_units, staff_users

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_HELP = _("Leave empty for now.")


def _districts_field(municipality, *, required=False):
    field = forms.ModelMultipleChoiceField(label=_("Affected districts"), required=required,
                                           queryset=municipality.districts.defer("boundary"),
                                           widget=forms.CheckboxSelectMultiple)
    field.label_from_instance = lambda d: d.name
    return field


def _district_field(municipality):
    field = forms.ModelChoiceField(label=_("District"), required=False, empty_label=_("Whole municipality"),
                                   queryset=municipality.districts.defer("boundary"))
    field.label_from_instance = lambda d: d.name
    return field


class IncidentForm(forms.Form):
    name = forms.CharField(label=_("Name (災害名)"), max_length=200,
                           error_messages={"required": _("Give the incident a name.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    started_at = forms.DateTimeField(label=_("Started at"), required=False, widget=DATETIME_WIDGET,
                                     help_text=DATETIME_HELP)
    hq_level = forms.ChoiceField(label=_("HQ established at the start"), required=False,
                                 choices=[("", _("None yet")), *HqStatus.Level.choices])
    is_drill = forms.BooleanField(label=_("Drill (訓練): every output is marked and nothing is published"),
                                  required=False)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"] = _districts_field(municipality)


DISSOLVE = "dissolve"


class HqStatusForm(forms.Form):
    level = forms.ChoiceField(label=_("HQ body"), choices=[("", "—"), *HqStatus.Level.choices,
                                                            (DISSOLVE, _("Dissolve (解散)"))],
                              error_messages={"required": _("Choose the HQ body to establish, or dissolve.")})
    at = forms.DateTimeField(label=_("Time"), required=False, widget=DATETIME_WIDGET, help_text=DATETIME_HELP)


class ReliefActForm(forms.Form):
    applied_on = forms.DateField(label=_("Disaster Relief Act (災害救助法) applied on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Leave empty to clear."))


class DistrictsForm(forms.Form):
    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"] = _districts_field(municipality)


class CloseForm(forms.Form):
    at = forms.DateTimeField(label=_("Ended at"), required=False, widget=DATETIME_WIDGET, help_text=DATETIME_HELP)


class InstructionForm(forms.Form):
    title = forms.CharField(label=_("Subject"), max_length=200,
                            error_messages={"required": _("Give the instruction a subject.")})
    content = forms.CharField(label=_("Details"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    priority = forms.ChoiceField(label=_("Priority"), choices=Instruction.Priority.choices,
                                 initial=Instruction.Priority.NORMAL)
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DATETIME_WIDGET)
    to_org_unit = forms.ModelChoiceField(label=_("To an organisation"), required=False,
                                         queryset=OrgUnit.objects.none(),
                                         empty_label="—")
    to_user = forms.ModelChoiceField(label=_("Or to a person"), required=False, queryset=User.objects.none(),
                                     empty_label="—")

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org_unit"].queryset = staff_org_units()
        self.fields["to_user"].queryset = staff_users()
        self.fields["district"] = _district_field(municipality)

    def clean(self):
        data = super().clean()
        if bool(data.get("to_org_unit")) == bool(data.get("to_user")):
            raise forms.ValidationError(_("Choose one organisation or one person."))
        return data


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("Result"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Report the result: what was done.")})


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=4000,
                             error_messages={"required": _("Say why the instruction is cancelled.")})


class ChronologyForm(forms.Form):
    content = forms.CharField(label=_("Content"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("Write what happened.")})
    category = forms.ChoiceField(label=_("Category"), choices=ChronologyCategory.choices,
                                 initial=ChronologyCategory.OTHER)
    at = forms.DateTimeField(label=_("Time"), required=False, widget=DATETIME_WIDGET, help_text=DATETIME_HELP)
    sender = forms.CharField(label=_("Sender (発信者)"), required=False, max_length=200)
    recipient = forms.CharField(label=_("Recipient (受信者)"), required=False, max_length=200)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"] = _district_field(municipality)


class ChronologyFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All")), *ChronologyCategory.choices])

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.ModelChoiceField(label=_("District"), required=False, empty_label=_("All"),
                                       queryset=municipality.districts.defer("boundary"), to_field_name="code")
        field.label_from_instance = lambda d: d.name
        self.fields["district"] = field


class AnnotationForm(forms.Form):
    text = forms.CharField(label=_("Annotation"), max_length=4000,
                           error_messages={"required": _("Write the annotation.")})
