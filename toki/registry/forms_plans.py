"""HTML forms of the plan pages: validation and the conversion of text fields (points as "latitude, longitude",
one waypoint, item or contact per line) into the action's input. Every error names the line it is on."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.registry.actions_plans import MAX_WAYPOINTS, PlanInput
from toki.registry.models import Consent
from toki.registry.models_plans import AlertLevel, AuthorKind, Plan, SupporterRelation
from toki.shelters.models import Shelter
from toki.shelters.selectors import public_shelters

MAX_LINES = 50


def parse_point(text: str, where: str) -> list[float] | None:
    """ "38.08, 138.44" → [38.08, 138.44]; empty → None."""
    text = text.strip()
    if not text:
        return None
    parts = [part.strip() for part in text.replace("、", ",").split(",")]
    try:
        lat, lon = (float(part) for part in parts)
    except ValueError:
        raise forms.ValidationError(_("%(where)s: write a point as latitude, longitude (e.g. 38.08, 138.44)"),
                                    params={"where": where}) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise forms.ValidationError(_("%(where)s: not a latitude and longitude"), params={"where": where})
    return [lat, lon]


def point_text(point) -> str:
    return f"{point[0]:.6f}, {point[1]:.6f}" if point else ""


def _lines(text: str, label: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise forms.ValidationError(_("%(label)s: at most %(count)s lines"), params={"label": label,
                                                                                  "count": MAX_LINES})
    return lines


class PlanForm(forms.Form):
    author_kind = forms.ChoiceField(label=_("Written by"), choices=AuthorKind.choices)
    author_name = forms.CharField(label=_("Author's name"), max_length=100, required=False)
    destination_shelter: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Destination shelter"), queryset=Shelter.objects.none(), required=False)
    destination_other = forms.CharField(label=_("Or another place"), max_length=200, required=False)
    destination_point = forms.CharField(label=_("Position of the other place (latitude, longitude)"),
                                        max_length=60, required=False)
    home_point = forms.CharField(label=_("Start of the route: home (latitude, longitude)"), max_length=60,
                                 required=False)
    route = forms.CharField(label=_("Route: waypoints, one \"latitude, longitude\" per line"), required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    considerations = forms.CharField(label=_("Considerations (配慮事項): walking, how to help, communication"),
                                     max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    carry_items = forms.CharField(label=_("Things to take (持出品), one per line"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    start_level = forms.TypedChoiceField(label=_("Start evacuating at"), choices=AlertLevel.choices, coerce=int,
                                         initial=AlertLevel.LEVEL_3)
    timing_note = forms.CharField(label=_("Timing notes"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    family_contacts = forms.CharField(label=_("Family contacts, one \"name | relation | phone\" per line"),
                                      required=False, widget=forms.Textarea(attrs={"rows": 3}))
    review_due = forms.DateField(label=_("Plan review due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination_shelter"].queryset = public_shelters(municipality)
        if not self.is_bound and "review_due" not in self.initial:
            self.initial["review_due"] = timezone.localdate() + timedelta(days=365)

    @classmethod
    def initial_from(cls, plan: Plan) -> dict:
        return {
            "author_kind": plan.author_kind, "author_name": plan.author_name,
            "destination_shelter": plan.destination_shelter_id, "destination_other": plan.destination_other,
            "destination_point": point_text(plan.destination_point), "home_point": point_text(plan.home_point),
            "route": "\n".join(point_text(p) for p in plan.route or []), "considerations": plan.considerations,
            "carry_items": "\n".join(plan.carry_items or []), "start_level": plan.start_level,
            "timing_note": plan.timing_note, "review_due": plan.review_due,
            "family_contacts": "\n".join(" | ".join((c.get("name", ""), c.get("relation", ""), c.get("phone", "")))
                                         for c in plan.family_contacts or []),
        }

    def clean_destination_point(self):
        return parse_point(self.cleaned_data["destination_point"], str(self.fields["destination_point"].label))

    def clean_home_point(self):
        return parse_point(self.cleaned_data["home_point"], str(self.fields["home_point"].label))

    def clean_route(self):
        lines = [line.strip() for line in self.cleaned_data["route"].splitlines() if line.strip()]
        if len(lines) > MAX_WAYPOINTS:
            raise forms.ValidationError(_("at most %(count)s waypoints"), params={"count": MAX_WAYPOINTS})
        return [parse_point(line, _("line %(number)s") % {"number": number})
                for number, line in enumerate(lines, start=1)]

    def clean_carry_items(self):
        items = _lines(self.cleaned_data["carry_items"], str(self.fields["carry_items"].label))
        if any(len(item) > 100 for item in items):
            raise forms.ValidationError(_("an item has at most 100 characters"))
        return items

    def clean_family_contacts(self):
        contacts = []
        for number, line in enumerate(_lines(self.cleaned_data["family_contacts"], "contacts"), start=1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 3 or not parts[0] or not parts[2] or any(len(part) > 100 for part in parts):
                raise forms.ValidationError(_("line %(number)s: write name | relation | phone"),
                                            params={"number": number})
            contacts.append({"name": parts[0], "relation": parts[1], "phone": parts[2]})
        return contacts

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("destination_shelter") and not (cleaned.get("destination_other") or "").strip():
            self.add_error("destination_shelter", _("Choose a shelter or name another place."))
        review_due = cleaned.get("review_due")
        if review_due and review_due <= timezone.localdate():
            self.add_error("review_due", _("A date after today."))
        return cleaned

    def to_input(self) -> PlanInput:
        data = self.cleaned_data
        return PlanInput(
            author_kind=data["author_kind"], author_name=data["author_name"], review_due=data["review_due"],
            start_level=data["start_level"], destination_shelter=data["destination_shelter"],
            destination_other=data["destination_other"], destination_point=data["destination_point"],
            home_point=data["home_point"], route=data["route"], considerations=data["considerations"],
            carry_items=data["carry_items"], timing_note=data["timing_note"],
            family_contacts=data["family_contacts"])


class SupporterConsentForm(forms.Form):
    state = forms.ChoiceField(label=_("The supporter's answer"), choices=Consent.State.choices)
    text_version = forms.CharField(label=_("Version of the consent text shown"), max_length=40)
    method = forms.ChoiceField(label=_("How it was obtained"), choices=Consent.Method.choices)
    given_on = forms.DateField(label=_("Date of the answer"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(_("Not a date in the future."))
        return given_on


class SupporterForm(SupporterConsentForm):
    name = forms.CharField(label=_("Supporter's name"), max_length=100)
    phone = forms.CharField(label=_("Phone or other contact"), max_length=40)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    relation = forms.ChoiceField(label=_("Relation"), choices=SupporterRelation.choices)
    role = forms.CharField(label=_("What they do (e.g. call, walk with, drive)"), max_length=200, required=False)

    field_order = ["name", "phone", "address", "relation", "role", "state", "text_version", "method", "given_on"]
