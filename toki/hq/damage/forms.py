"""HTML forms of the damage pages. Fields of a report are built from the form definition's category."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from toki.hq.damage.definition import current_language, localized
from toki.posts.photos import ACCEPT, clean_photo


class ReportForm(forms.Form):
    """One category's numbers, the place, the text and a photo. `item_fields` lists the number fields."""

    district = forms.ModelChoiceField(queryset=None, label=_("District"), required=False,
                                      empty_label=_("(from the point on the map)"),
                                      help_text=_("Leave empty to take it from the point on the map."))
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    address = forms.CharField(label=_("Address or place"), max_length=200, required=False)
    text = forms.CharField(label=_("Details"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    photo = forms.FileField(label=_("Photo"), required=False, widget=forms.ClearableFileInput(
        attrs={"accept": ACCEPT}), help_text=_("Location data and other metadata are removed from the photo."))

    def __init__(self, *args, definition, category, districts, initial_counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        language = current_language()
        self.item_fields = []
        spec = definition.definition
        for item in spec.category_items(category):
            unit = spec.units[item.unit]
            decimals = unit.get("decimals", 0)
            field = forms.DecimalField(
                label=f"{item.text('label', language)} ({localized(unit, language)})", required=False,
                min_value=Decimal(0), decimal_places=decimals, max_digits=12 + decimals,
                help_text=item.text("help", language),
                initial=(initial_counts or {}).get(item.id))
            if item.aggregation == "peak":
                field.help_text = f"{field.help_text} " if field.help_text else ""
                field.help_text += str(_("Enter the figure now; the report shows the highest total over time."))
            name = f"count_{item.id}"
            self.fields[name] = field
            self.item_fields.append(name)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return clean_photo(photo) if photo else None

    def counts(self) -> dict:
        return {name.removeprefix("count_"): self.cleaned_data[name] for name in self.item_fields
                if self.cleaned_data.get(name) is not None}

    def item_bound_fields(self):
        return [self[name] for name in self.item_fields]

    def place_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"district": data.get("district"), "latitude": data.get("latitude"),
                "longitude": data.get("longitude"), "address": data.get("address", ""), "text": data.get("text", "")}


class CorrectionForm(ReportForm):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200,
                             help_text=_("What was wrong, or what changed on the ground."))
    is_change = forms.BooleanField(
        label=_("The situation changed (new figures as of now), not a mistake in the earlier figures"),
        required=False)


NOTE_FIELDS = (
    ("place", _("Place of occurrence (発生場所)")),
    ("occurred", _("Date and time of occurrence (発生日時)")),
    ("overview", _("Overview of the disaster (災害の概況)")),
    ("response", _("Response (応急対策の状況)")),
)


class IssueForm(forms.Form):
    reporter_name = forms.CharField(label=_("Reporter (報告者名)"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in NOTE_FIELDS:
            self.fields[f"note_{key}"] = forms.CharField(label=label, required=False, max_length=4000,
                                                         widget=forms.Textarea(attrs={"rows": 3}))

    def notes(self) -> dict:
        return {key: self.cleaned_data.get(f"note_{key}", "") for key, _label in NOTE_FIELDS}


def raise_into(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form: per field where it names one, else on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        elif field == "counts":
            for message in errors:
                item = message.split(":", 1)[0].removeprefix("counts.")
                name = f"count_{item}"
                form.add_error(name if name in form.fields else None, message.split(":", 1)[-1].strip())
        elif field == "location":
            form.add_error("latitude", errors)
        else:
            form.add_error(None, errors)
