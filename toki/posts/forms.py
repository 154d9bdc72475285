from django import forms
from django.utils.translation import gettext_lazy as _

from toki.areas.selectors import district_for
from toki.lib.place_names import local_name
from toki.lib.text import plain_text
from toki.posts import photos
from toki.posts.actions import REASON_MAX_LENGTH
from toki.posts.models import TEXT_MAX_LENGTH, Post


class PostForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is it?"), choices=Post.Category.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose a category.")},
    )
    text = forms.CharField(
        label=_("What do you see?"), max_length=TEXT_MAX_LENGTH,
        help_text=_("Where exactly, and what is happening. Do not write names or phone numbers."),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write what you see.")},
    )
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False,
        help_text=_("JPEG, PNG or WebP, up to 10 MB. Toki removes the location and camera data from it."),
        widget=forms.ClearableFileInput(attrs={"accept": photos.ACCEPT}),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180,
                                 widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    # The honeypot: hidden from people (and from screen readers), filled in by bots that fill every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_text(self):
        text = plain_text(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError(_("Write what you see."))
        return text

    def clean_photo(self):
        uploaded = self.cleaned_data.get("photo")
        return photos.clean_photo(uploaded) if uploaded else None

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        data["district"] = None
        if "latitude" in self.errors or "longitude" in self.errors:
            return data
        if (lat is None) != (lon is None):
            self.add_error("latitude", _("Give both latitude and longitude, or leave both empty."))
        elif lat is not None:
            data["latitude"], data["longitude"] = lat, lon = round(lat, 5), round(lon, 5)
            district = district_for(lat, lon, self.municipality)
            if district is None:
                self.add_error("latitude", _("This place is outside %(city)s. Posts are for places in the city; "
                                             "check the numbers or leave the location empty.")
                               % {"city": local_name(self.municipality)})
            data["district"] = district
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH,
                             error_messages={"required": _("Give a reason.")})
