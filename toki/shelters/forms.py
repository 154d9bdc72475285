"""HTML forms of shelter operations (staff pages and the public pre-registration). Validation only."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from toki.shelters.matching import looks_like_personal_number
from toki.shelters.models import (
    CARE_NEEDS,
    Crowding,
    Household,
    Member,
    OpeningStatus,
    Registration,
    Shelter,
    ShelterKind,
    SupplyRequest,
)

PERSONAL_NUMBER_ERROR = _("Do not enter a My Number (12-digit individual number). Toki never stores it.")


class NoPersonalNumberForm(forms.Form):
    """Refuses any field holding a 12-digit number (a possible マイナンバー), before anything is stored."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if looks_like_personal_number(value):
                self.add_error(name, PERSONAL_NUMBER_ERROR)
        return cleaned


class OpenShelterForm(forms.Form):
    shelter = forms.ModelChoiceField(label=_("Shelter"), queryset=Shelter.objects.none())
    incident = forms.ModelChoiceField(label=_("Incident"), queryset=None)

    def __init__(self, *args, shelters, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shelter"].queryset = shelters
        self.fields["shelter"].label_from_instance = site_choice_label
        self.fields["incident"].queryset = incidents


def site_choice_label(shelter: Shelter) -> str:
    """「両津小学校体育館 — 両津 · 指定避難所・指定緊急避難場所 · 新潟県佐渡市両津湊200-1」: one option per site, told
    apart from its neighbours by district, designations and address."""
    designations = "・".join(str(label) for flag, label in (
        (shelter.is_designated_shelter, _("Designated shelter")),
        (shelter.is_emergency_site, _("Evacuation site"))) if flag)
    parts = [shelter.district.name if shelter.district else "", designations, shelter.address]
    return " — ".join([shelter.name, " · ".join(p for p in parts if p)])


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=OpeningStatus.choices)


class CrowdingForm(forms.Form):
    crowding = forms.ChoiceField(label=_("Crowding"), required=False, choices=[
        ("", _("Computed from occupancy")), (Crowding.VACANT, Crowding.VACANT.label),
        (Crowding.CROWDED, Crowding.CROWDED.label), (Crowding.FULL, Crowding.FULL.label)])


class QuickCheckInForm(NoPersonalNumberForm):
    """The desk form: minimum first (name in kana + how many people), the rest later on the household page."""

    name_kana = forms.CharField(label=_("Name (kana)"), max_length=100)
    people = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=30, initial=1)
    name = forms.CharField(label=_("Name (kanji)"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))


class TokenCheckInForm(forms.Form):
    code = forms.CharField(label=_("QR code or card number"), max_length=80,
                           help_text=_("Scan the QR code into this field, or type the card number."))


class CheckOutForm(forms.Form):
    destination = forms.ChoiceField(label=_("Where to"), choices=Registration.Destination.choices)
    destination_note = forms.CharField(label=_("Note"), max_length=200, required=False)


class HouseholdForm(NoPersonalNumberForm):
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    stay = forms.ChoiceField(label=_("Where you stay"), choices=Household.Stay.choices,
                             initial=Household.Stay.SHELTER)
    house_damage = forms.ChoiceField(label=_("Damage to the house"), choices=Household.HouseDamage.choices)
    disclosure = forms.ChoiceField(label=_("May we tell people who ask that you are safe and where?"),
                                   choices=Household.Disclosure.choices)
    pets = forms.CharField(label=_("Pets (kind and number)"), max_length=200, required=False)
    car_sleeping = forms.BooleanField(label=_("Sleeping in a car"), required=False)
    car_plate = forms.CharField(label=_("Car number plate"), max_length=40, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MemberForm(NoPersonalNumberForm):
    id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    name_kana = forms.CharField(label=_("Name (kana)"), max_length=100, required=False)
    relation = forms.CharField(label=_("Relation"), max_length=40, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Member.Sex.choices, initial=Member.Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("Date of birth"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    care_needs = forms.MultipleChoiceField(label=_("Care needs"), required=False, choices=list(CARE_NEEDS.items()),
                                           widget=forms.CheckboxSelectMultiple)
    allergies = forms.CharField(label=_("Allergies"), max_length=200, required=False)
    care_notes = forms.CharField(label=_("Medication, devices, language"), max_length=1000, required=False)


MemberFormSet = forms.formset_factory(MemberForm, extra=0, min_num=1, max_num=30, validate_min=True)

# Public pre-registration: a family in one form (issue 14 item 9), bounded so that one anonymous POST stays small.
PRE_REGISTRATION_PEOPLE = 6
PreRegistrationMemberFormSet = forms.formset_factory(
    MemberForm, extra=PRE_REGISTRATION_PEOPLE - 1, min_num=1, max_num=PRE_REGISTRATION_PEOPLE,
    absolute_max=PRE_REGISTRATION_PEOPLE, validate_min=True, validate_max=True)


class PreRegistrationForm(HouseholdForm):
    planned_shelter = forms.ModelChoiceField(label=_("Shelter you plan to go to"), required=False,
                                             queryset=Shelter.objects.none())
    consent = forms.BooleanField(label=_("I agree that the city keeps this information for shelter reception."))

    def __init__(self, *args, shelters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_shelter"].queryset = shelters
        for name in ("house_damage", "car_sleeping", "car_plate"):
            del self.fields[name]


# The municipality's own names of a site in other languages (toki.lib.readings): (form field, language, field).
TRANSLATION_FIELDS = [(f"{field}_{language.replace('-', '_')}", language, field)
                      for language in ("en", "zh-hans", "ko") for field in ("name", "address")]
TRANSLATION_LABELS = {"name": _("Name in %(language)s"), "address": _("Address in %(language)s")}
LANGUAGE_NAMES = {"en": "English", "zh-hans": "简体中文", "ko": "한국어"}


class ShelterDetailsForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("Shelter type"), choices=[("", _("As designated")), *ShelterKind.choices],
                             required=False)

    class Meta:
        model = Shelter
        fields = ["kind", "capacity", "phone", "contact_name", "contact_email", "accessibility_notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = self.instance.translations or {}
        for name, language, field in TRANSLATION_FIELDS:
            self.fields[name] = forms.CharField(
                label=TRANSLATION_LABELS[field] % {"language": LANGUAGE_NAMES[language]}, max_length=300,
                required=False, initial=(own.get(language) or {}).get(field, ""),
                help_text=_("Empty: a reading in Latin letters is shown.") if field == "name" else "")

    def translations(self) -> dict:
        """{language: {field: text}} of the fields filled in (what Shelter.translations holds)."""
        result: dict = {}
        for name, language, field in TRANSLATION_FIELDS:
            text = self.cleaned_data.get(name, "").strip()
            if text:
                result.setdefault(language, {})[field] = text
        return result


class SupplyRequestForm(forms.Form):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=SupplyRequest.Urgency.choices)
    items = forms.CharField(label=_("Items, one per line: name, quantity, unit"), widget=forms.Textarea(
        attrs={"rows": 5, "placeholder": "水 2L, 48, 本\n毛布, 30, 枚"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_items(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            parts = [p.strip() for p in line.replace("、", ",").replace("，", ",").split(",")]
            if not parts[0]:
                continue
            try:
                quantity = int(parts[1]) if len(parts) > 1 else 0
            except ValueError:
                quantity = 0
            if quantity < 1:
                raise ValidationError(_("Line %(n)s: give a quantity of at least 1."), params={"n": number})
            rows.append((parts[0][:100], quantity, parts[2][:20] if len(parts) > 2 else ""))
        if not rows or len(rows) > 30:
            raise ValidationError(_("Between 1 and 30 items."))
        return rows


class SupplyAnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Answer"), choices=[
        (s, s.label) for s in (SupplyRequest.Status.ACCEPTED, SupplyRequest.Status.PARTLY,
                               SupplyRequest.Status.DELIVERED, SupplyRequest.Status.DECLINED)])
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class PersonSearchForm(forms.Form):
    kana = forms.CharField(label=_("Name (kana)"), max_length=100, required=False)
    name = forms.CharField(label=_("Name (kanji)"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("kana") and not cleaned.get("name"):
            raise ValidationError(_("Give a name in kana or in kanji."))
        return cleaned


class SafetySearchForm(forms.Form):
    name = forms.CharField(label=_("Full name (kana or kanji, exactly as registered)"), max_length=100)
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
