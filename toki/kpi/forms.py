from django import forms
from django.utils.translation import gettext_lazy as _

from toki.kpi.actions import MAX_NOTE
from toki.kpi.models import Kpi


class ResultForm(forms.Form):
    """An owner's result: the year, the figure (or the stage reached), the date it is as of, evidence, a note."""

    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    value = forms.CharField(label=_("Result"), max_length=30)
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence_url = forms.URLField(label=_("Evidence (link to a document or dataset)"), required=False,
                                  max_length=500, assume_scheme="https")
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(
        attrs={"rows": 3}))

    def __init__(self, *args, kpi: Kpi, years: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        year_field = self.fields["fiscal_year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = years
        if kpi.direction == Kpi.Direction.STAGE:
            self.fields["value"] = forms.ChoiceField(label=_("Stage reached"),
                                                     choices=[(s, s) for s in kpi.stages])
        else:
            self.fields["value"].help_text = _("In %(unit)s. Digits only; commas are allowed.") % {"unit": kpi.unit}
            self.fields["value"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})


class NoteForm(forms.Form):
    analysis = forms.CharField(label=_("要因分析 (why the result is what it is)"), required=False,
                               max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 4}))
    improvement = forms.CharField(label=_("改善方針 (what will change)"), required=False, max_length=MAX_NOTE,
                                  widget=forms.Textarea(attrs={"rows": 4}))


class BaselineForm(forms.Form):
    baseline = forms.DecimalField(label=_("Baseline"), min_value=0, max_digits=14, decimal_places=2)
