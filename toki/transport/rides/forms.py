"""The booking form (web page and phone desk share it), the web rider's contact, saved riders and usual trips."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.lib.geo import point_in_geometry
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
        points = MeetingPoint.objects.filter(area=area, active=True)
        self.fields["origin"].queryset = points
        self.fields["destination"].queryset = points
        if area.door_to_door:
            # Door to door (docs/rides.md): a meeting point, or any place inside the area given by its coordinates.
            for end, label in (("origin", _("Where you get on")), ("destination", _("Where you get off"))):
                self.fields[end].required = False
                self.fields[end].empty_label = _("Another place (map or coordinates)")
                for axis, text, low, high in (("lat", _("latitude"), -90, 90), ("lon", _("longitude"), -180, 180)):
                    self.fields[f"{end}_{axis}"] = forms.FloatField(
                        label=f"{label}: {text}", required=False, min_value=low, max_value=high,
                        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
            self.order_fields(["origin", "origin_lat", "origin_lon", "destination", "destination_lat",
                               "destination_lon"])

    def map_data(self) -> dict | None:
        """What the map picker draws (static/rides/pick-place.js) for a door-to-door area: the area's outline and
        its meeting points, from the page itself (no tile needed to see where to tap). None otherwise."""
        if not self.area.door_to_door:
            return None
        origin = self.fields["origin"]
        assert isinstance(origin, forms.ModelChoiceField) and origin.queryset is not None
        return {"geometry": self.area.geometry,
                "points": [{"id": p.pk, "name": p.name, "lat": p.lat, "lon": p.lon}
                           for p in origin.queryset.order_by("name")]}

    def clean(self):
        data = super().clean()
        if self.area.door_to_door:
            for end in ("origin", "destination"):
                data[f"{end}_place"] = self._place(data, end)
        else:
            for end in ("origin", "destination"):
                data[f"{end}_place"] = Place.of(data[end]) if data.get(end) else None
        origin, destination = data.get("origin_place"), data.get("destination_place")
        if origin is not None and destination is not None and (origin.lat, origin.lon) == (destination.lat,
                                                                                              destination.lon):
            self.add_error("destination", _("The pickup and the drop-off are the same place."))
        return data

    def _place(self, data: dict, end: str) -> Place | None:
        """A door-to-door end: the meeting point chosen, or the coordinates given, which must lie in the area."""
        point, lat, lon = data.get(end), data.get(f"{end}_lat"), data.get(f"{end}_lon")
        if point is not None:
            return Place.of(point)
        if f"{end}_lat" in self.errors or f"{end}_lon" in self.errors:
            return None
        if lat is None or lon is None:
            self.add_error(end, _("Choose a meeting point, or give both the latitude and the longitude."))
            return None
        if not point_in_geometry(lat, lon, self.area.geometry):
            self.add_error(f"{end}_lat", _("%(lat).5f, %(lon).5f is outside the service area %(area)s.")
                           % {"lat": lat, "lon": lon, "area": self.area.name})
            return None
        return Place(lat, lon)

    def ride_request(self, *, evacuation: bool = False) -> RideRequest:
        data = self.cleaned_data
        when = timezone.make_aware(datetime.combine(data["date"], data["time"]))
        by_arrival = data["mode"] == "arrival"
        return RideRequest(area=self.area, origin=data["origin_place"], destination=data["destination_place"],
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
        points = MeetingPoint.objects.filter(area=area, active=True)
        self.fields["origin"].queryset = points
        self.fields["destination"].queryset = points
