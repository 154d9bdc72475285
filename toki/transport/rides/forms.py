"""The booking form (web page and phone desk share it), the web rider's contact, saved riders and usual trips."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.transport.rides.models import FareCategory, MeetingPoint
from toki.transport.rides.rules import Place, RideRequest

MODES = [("pickup", _("Pick me up from")), ("arrival", _("I must arrive by"))]


class RideRequestForm(forms.Form):
    origin = forms.ModelChoiceField(label=_("Where you get on"), queryset=MeetingPoint.objects.none(),
                                    empty_label=_("Choose where you get on"))
    destination = forms.ModelChoiceField(label=_("Where you get off"), queryset=MeetingPoint.objects.none(),
                                         empty_label=_("Choose where you get off"))
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time of the ride"), widget=forms.TimeInput(attrs={"type": "time"}))
    mode = forms.ChoiceField(label=_("The time is"), choices=MODES, initial="pickup", widget=forms.RadioSelect)
    passengers = forms.IntegerField(label=_("People"), min_value=1, max_value=9, initial=1)
    wheelchair = forms.BooleanField(label=_("With a wheelchair"), required=False)

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.area = area
        points = MeetingPoint.objects.filter(area=area)
        self.fields["origin"].queryset = points
        self.fields["destination"].queryset = points

    def clean(self):
        data = super().clean()
        if data.get("origin") and data.get("origin") == data.get("destination"):
            self.add_error("destination", _("The pickup and the drop-off are the same place."))
        return data

    def ride_request(self, *, evacuation: bool = False) -> RideRequest:
        data = self.cleaned_data
        when = timezone.make_aware(datetime.combine(data["date"], data["time"]))
        by_arrival = data["mode"] == "arrival"
        return RideRequest(area=self.area, origin=Place.of(data["origin"]), destination=Place.of(data["destination"]),
                           earliest_pickup=None if by_arrival else when, latest_arrival=when if by_arrival else None,
                           passengers=data["passengers"], wheelchairs=1 if data["wheelchair"] else 0,
                           evacuation=evacuation)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=60)
    phone = forms.CharField(label=_("Phone number (we call if the plan changes)"), max_length=20)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = phone.replace("-", "").replace(" ", "")
        if not digits.isdigit() or not 9 <= len(digits) <= 11:
            raise forms.ValidationError(_("Enter a phone number of 9 to 11 digits, e.g. 0259-27-0000."))
        return phone


class RiderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    name_kana = forms.CharField(label=_("Reading (kana)"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=20)
    category = forms.ModelChoiceField(label=_("Fare category"), queryset=FareCategory.objects.none(),
                                      required=False)
    wheelchair = forms.BooleanField(label=_("Uses a wheelchair"), required=False)
    note = forms.CharField(label=_("Note for the phone desk"), max_length=200, required=False)

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = FareCategory.objects.filter(area=area)


class UsualTripForm(forms.Form):
    label = forms.CharField(label=_("Name of the trip"), max_length=60)
    origin = forms.ModelChoiceField(label=_("Where you get on"), queryset=MeetingPoint.objects.none())
    destination = forms.ModelChoiceField(label=_("Where you get off"), queryset=MeetingPoint.objects.none())
    usual_time = forms.TimeField(label=_("Usual time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    by_arrival = forms.BooleanField(label=_("The time is an arrival time"), required=False)

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        points = MeetingPoint.objects.filter(area=area)
        self.fields["origin"].queryset = points
        self.fields["destination"].queryset = points
