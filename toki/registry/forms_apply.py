"""The 手上げ application form (public, large type) and its paper twin for staff. Every field is checked on its own
with an error next to it; the cleaned form gives the items in the shape the CSV import parses them
(importing._parse), so approval goes through the import's own functions."""

import unicodedata
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District
from toki.registry import crypto
from toki.registry.importing import CARE, KANA, PHONE, SEX
from toki.registry.models import Consent, RecipientClass, Scope
from toki.registry.models_applications import Application

MAX_TEXT = 200
CARE_LEVELS = ["要支援1", "要支援2", "要介護1", "要介護2", "要介護3", "要介護4", "要介護5"]
NONE = [("", _("None / do not know"))]


def consent_key(recipient_class: str, scope: str) -> str:
    return f"{recipient_class}:{scope}"


def consent_field_name(recipient_class: str, scope: str) -> str:
    return f"consent_{recipient_class}_{scope}"


CONSENT_KEYS = [(c, s) for c in RecipientClass.values for s in Scope.values]


class BirthDateWidget(forms.SelectDateWidget):
    """Year, month and day as three selects that start empty: a required date must not quietly default to the
    first year of the list."""

    def get_context(self, name, value, attrs):
        required, self.is_required = self.is_required, False
        try:
            return super().get_context(name, value, attrs)
        finally:
            self.is_required = required


def _clean_text(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=MAX_TEXT)
    name_kana = forms.CharField(label=_("Name in kana (furigana)"), max_length=MAX_TEXT,
                                help_text=_("In hiragana or katakana, e.g. さど はなこ"))
    # Three large selects (year, month, day): easier for elderly hands than a date picker or a typed format.
    birth_date = forms.DateField(label=_("Date of birth"), widget=BirthDateWidget(
        years=range(1900, date.today().year + 1), empty_label=("—", "—", "—")))
    sex = forms.ChoiceField(label=_("Sex"), choices=[("0", _("Prefer not to say")), ("1", _("Male")),
                                                     ("2", _("Female"))], initial="0")
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(),
                                      empty_label=_("Choose your district"))
    address = forms.CharField(label=_("Address"), max_length=MAX_TEXT)
    phone = forms.CharField(label=_("Phone number"), max_length=20, help_text=_("e.g. 0259-00-0000"))
    support_reason = forms.CharField(label=_("Why you need help to evacuate"), max_length=MAX_TEXT,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("e.g. I cannot walk far; I cannot hear the announcements"))
    care_level = forms.ChoiceField(label=_("Care level (要介護度)"), required=False,
                                   choices=[*NONE, *((c, c) for c in CARE_LEVELS)])
    physical_grade = forms.ChoiceField(label=_("Physical disability certificate, grade"), required=False,
                                       choices=[*NONE, *((str(g), str(g)) for g in range(1, 7))])
    intellectual_grade = forms.ChoiceField(label=_("Intellectual disability certificate (療育手帳)"),
                                           required=False, choices=[*NONE, ("A", "A"), ("B", "B")])
    mental_grade = forms.ChoiceField(label=_("Mental disability certificate, grade"), required=False,
                                     choices=[*NONE, *((str(g), str(g)) for g in range(1, 4))])
    intractable_disease = forms.BooleanField(label=_("I have an intractable (designated) disease"), required=False)
    lives_alone = forms.BooleanField(label=_("I live alone"), required=False)
    medical_devices = forms.CharField(label=_("Medical devices that need electricity"), required=False,
                                      max_length=MAX_TEXT, help_text=_("e.g. ventilator, oxygen; leave empty if none"))
    contact_name = forms.CharField(label=_("Emergency contact: name"), required=False, max_length=MAX_TEXT)
    contact_relation = forms.CharField(label=_("Emergency contact: relation"), required=False, max_length=40)
    contact_phone = forms.CharField(label=_("Emergency contact: phone"), required=False, max_length=20)
    applicant = forms.ChoiceField(label=_("Who is filling in this form?"), choices=Application.Applicant.choices,
                                  widget=forms.RadioSelect, initial=Application.Applicant.SELF)
    proxy_name = forms.CharField(label=_("Your name (the person filling in)"), required=False, max_length=MAX_TEXT)
    proxy_relation = forms.CharField(label=_("Your relation to the person"), required=False, max_length=40,
                                     help_text=_("e.g. daughter, son, care manager"))
    proxy_phone = forms.CharField(label=_("Your phone number"), required=False, max_length=20)
    proxy_takes_responsibility = forms.BooleanField(
        label=_("I apply for the person with their agreement and take responsibility for this application"),
        required=False)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(municipality=municipality).defer("boundary")
        for recipient_class, scope in CONSENT_KEYS:
            self.fields[consent_field_name(recipient_class, scope)] = forms.BooleanField(
                required=False, label=f"{RecipientClass(recipient_class).label} — {Scope(scope).label}")

    def person_fields(self):
        return [self[n] for n in ("name", "name_kana", "birth_date", "sex", "district", "address", "phone",
                                  "support_reason")]

    def health_fields(self):
        return [self[n] for n in ("care_level", "physical_grade", "intellectual_grade", "mental_grade",
                                  "intractable_disease", "lives_alone", "medical_devices", "contact_name",
                                  "contact_relation", "contact_phone")]

    def applicant_fields(self):
        return [self[n] for n in ("applicant", "proxy_name", "proxy_relation", "proxy_phone",
                                  "proxy_takes_responsibility")]

    def consent_rows(self):
        """The consent boxes as rows of the grid: (recipient class label, [field per scope])."""
        return [(RecipientClass(c).label, [self[consent_field_name(c, s)] for s in Scope.values])
                for c in RecipientClass.values]

    def clean_name(self):
        return _clean_text(self.cleaned_data["name"])

    def clean_name_kana(self):
        kana = _clean_text(self.cleaned_data["name_kana"])
        if not KANA.match(crypto.normalise_kana(kana) or " "):
            raise forms.ValidationError(_("Write the name in hiragana or katakana."))
        return kana

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        if not date(1890, 1, 1) <= born <= timezone.localdate():
            raise forms.ValidationError(_("This date of birth is not possible. Check the year."))
        return born

    def _phone(self, name: str, required: bool = False) -> str:
        phone = _clean_text(self.cleaned_data.get(name, "")).replace("ー", "-").replace(" ", "")
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Write the phone number in digits, e.g. 0259-00-0000."))
        return phone

    def clean_phone(self):
        return self._phone("phone")

    def clean_contact_phone(self):
        return self._phone("contact_phone")

    def clean_proxy_phone(self):
        return self._phone("proxy_phone")

    def clean_care_level(self):
        care = self.cleaned_data["care_level"]
        if care and not CARE.match(care):
            raise forms.ValidationError(_("Choose a care level from the list."))
        return care

    def clean(self):
        data = super().clean()
        contact = [data.get(n) for n in ("contact_name", "contact_relation", "contact_phone")]
        if any(contact) and not (contact[0] and contact[2]):
            self.add_error("contact_phone" if contact[0] else "contact_name",
                           _("Give the emergency contact's name and phone, or leave all three empty."))
        if data.get("applicant") == Application.Applicant.PROXY:
            for name, message in (("proxy_name", _("Write your own name.")),
                                  ("proxy_relation", _("Write how you are related to the person.")),
                                  ("proxy_phone", _("Write a phone number where the city can reach you.")),
                                  ("proxy_takes_responsibility", _("Tick this box to apply for someone else."))):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data

    def values(self, language: str = "ja") -> dict:
        """The person's items as the import parses them (JSON-ready: the date as ISO, the district as its id)."""
        data = self.cleaned_data
        care = CARE.match(data["care_level"]) if data["care_level"] else None
        contacts = ([{"name": data["contact_name"], "relation": _clean_text(data["contact_relation"]),
                      "phone": data["contact_phone"]}] if data.get("contact_name") else [])
        devices = [d.strip() for d in _clean_text(data["medical_devices"]).replace("、", ",").split(",") if d.strip()]
        return {
            "name": data["name"], "name_kana": data["name_kana"], "birth_date": data["birth_date"].isoformat(),
            "sex": SEX[data["sex"]], "address": _clean_text(data["address"]), "district_id": data["district"].pk,
            "phone": data["phone"], "support_reason": _clean_text(data["support_reason"]),
            "care_level": data["care_level"], "care_number": int(care["care"]) if care and care["care"] else 0,
            "physical_grade": data["physical_grade"], "intellectual_grade": data["intellectual_grade"],
            "mental_grade": data["mental_grade"], "intractable_disease": data["intractable_disease"],
            "in_facility": False, "lives_alone": data["lives_alone"], "medical_devices": devices,
            "emergency_contacts": contacts, "language": language[:10], "left_reason": "",
        }

    def consents(self) -> dict[str, str]:
        """Every box is an answer: ticked 同意, left empty 不同意 (the person saw the text and did not tick)."""
        return {consent_key(c, s): Consent.State.CONSENTED if self.cleaned_data[consent_field_name(c, s)]
                else Consent.State.DECLINED for c, s in CONSENT_KEYS}

    def proxy(self) -> dict:
        data = self.cleaned_data
        if data["applicant"] != Application.Applicant.PROXY:
            return {}
        return {"proxy_name": _clean_text(data["proxy_name"]), "proxy_relation": _clean_text(data["proxy_relation"]),
                "proxy_phone": data["proxy_phone"], "proxy_takes_responsibility": True}


class PublicApplicationForm(ApplicationForm):
    truthful = forms.BooleanField(label=_("What I wrote is true"), error_messages={
        "required": _("Tick this box to send the application.")})
    # A field people never see (hidden by the stylesheet): a form that fills it in is a robot's.
    website = forms.CharField(required=False, label=_("Leave this empty"))


class PaperApplicationForm(ApplicationForm):
    """A paper application entered by staff for the person: when it arrived and how the consent was given."""

    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    consent_method = forms.ChoiceField(label=_("How the consent was given"), choices=[
        (m.value, m.label) for m in (Consent.Method.MAIL, Consent.Method.COUNTER, Consent.Method.VISIT,
                                     Consent.Method.PROXY)])

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received > timezone.localdate():
            raise forms.ValidationError(_("A paper cannot arrive in the future."))
        return received

    def clean(self):
        data = super().clean()
        if data.get("consent_method") == Consent.Method.PROXY and data.get("applicant") != Application.Applicant.PROXY:
            self.add_error("consent_method", _("A proxy's consent needs the proxy's details (choose a relative "
                                               "or carer above)."))
        return data


def add_refusal(form: forms.Form, refused: ValueError) -> None:
    """Put an action's refusal ("field: reason") next to that field of the form, or above the form."""
    field, _sep, message = str(refused).partition(": ")
    form.add_error(field if field in form.fields else None, message or str(refused))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    merge_into = forms.IntegerField(required=False, min_value=1)
    reason = forms.CharField(label=_("Why it is rejected"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the application is rejected."))
        return data
