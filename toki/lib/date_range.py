"""A range of local days for the KPI figures (the portal's and notify's): the form that reads ?start=&end=, the
default range and the UTC bounds of a range of days in the municipality's time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_DAYS = 30
MAX_DAYS = 366


def default_range(today: date) -> tuple[date, date]:
    """The last DEFAULT_DAYS days up to `today`."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of local day `start` to the start of the local day after `end`, in UTC."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC))


class DateRangeForm(forms.Form):
    """?start=&end= (both optional): a missing end is today, a missing start the default range's; at most
    MAX_DAYS days, the start not after the end."""

    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        default_start, default_end = default_range(timezone.localdate())
        end = data.get("end") or default_end
        start = data.get("start") or min(default_start, end)
        if start > end:
            raise ValidationError(_("The start date must not be after the end date."))
        if (end - start).days >= MAX_DAYS:
            raise ValidationError(_("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data
