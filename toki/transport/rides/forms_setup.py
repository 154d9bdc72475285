"""The operations pages' forms for setting up the service (docs/rides.md, "Setting up the service"). They check the
type of each field; the rest (bounds, a shift's end after its start, overlaps, a driver in two vehicles at once, a
maximum notice above the minimum) is the service file's own check, run on the area's definition with the edit
(`actions_setup.change_area`), whose errors `place_errors` puts back on the field they name."""

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from toki.transport.rides.service_file import MAX_FILE_BYTES, RULE_KINDS, Problem

WEEKDAYS = [("1", _("Mon")), ("2", _("Tue")), ("3", _("Wed")), ("4", _("Thu")), ("5", _("Fri")), ("6", _("Sat")),
            ("7", _("Sun"))]
RULE_KIND_LABELS = {"real_time": _("Real time"), "same_day": _("Same day, with notice"),
                    "prior_day": _("By the day before")}
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ShiftForm(forms.Form):
    weekdays = forms.MultipleChoiceField(label=_("Weekdays"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple)
    start = forms.TimeField(label=_("Start"), widget=TIME)
    end = forms.TimeField(label=_("End"), widget=TIME)
    driver = forms.ChoiceField(label=_("Driver"), required=False)

    def __init__(self, *args, drivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["driver"].choices = [("", "—"), *[(d.code, d.name) for d in drivers]]

    def as_file(self) -> dict:
        data = self.cleaned_data
        return {"weekdays": [int(d) for d in data["weekdays"]], "start": data["start"].strftime("%H:%M"),
                "end": data["end"].strftime("%H:%M"), "driver": data["driver"] or None}


class BaseShiftFormSet(forms.BaseFormSet):
    def __init__(self, *args, drivers=(), **kwargs):
        self.drivers = drivers
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "drivers": self.drivers}

    def kept(self) -> list[tuple[int, Any]]:
        """(index, form) of the rows to keep: those there before and the new ones filled in, unless marked for
        deletion."""
        return [(i, form) for i, form in enumerate(self.forms)
                if (i < self.initial_form_count() or form.has_changed()) and not form.cleaned_data.get("DELETE")]


ShiftFormSet = cast("type[BaseShiftFormSet]", forms.formset_factory(
    ShiftForm, formset=BaseShiftFormSet, extra=2, can_delete=True, max_num=10, validate_max=True))


class FareForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=60)
    price_yen = forms.IntegerField(label=_("Price per ride (yen)"), min_value=0)

    def as_file(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("code", "name", "price_yen")}


class BaseFareFormSet(forms.BaseFormSet):
    def kept(self) -> list[tuple[int, Any]]:
        return [(i, form) for i, form in enumerate(self.forms)
                if (i < self.initial_form_count() or form.has_changed()) and not form.cleaned_data.get("DELETE")]


FareFormSet = cast("type[BaseFareFormSet]", forms.formset_factory(
    FareForm, formset=BaseFareFormSet, extra=1, can_delete=True, max_num=20, validate_max=True))


class ExceptionForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    runs = forms.TypedChoiceField(label=_("The service"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                  choices=[("0", _("does not run (運休日)")), ("1", _("runs (臨時運行日)"))])
    until = forms.TimeField(  # a 運休 from this time: the day runs until then
        label=_("運休 from (empty: the whole day)"), required=False, widget=TIME,
        help_text=_("A typhoon arriving at noon: the rides asked for before this time still run."))
    resumes = forms.TimeField(  # … until this time: the rides asked for from then on run again
        label=_("Service resumes at (empty: not that day)"), required=False, widget=TIME,
        help_text=_("A typhoon passing in the afternoon: the rides asked for from this time run again."))
    note = forms.CharField(label=_("Note"), max_length=100, required=False)
    cancel_booked = forms.BooleanField(
        label=_("運休 with rides booked (a typhoon, heavy snow): cancel them and tell their riders"), required=False,
        help_text=_("The riders on LINE get a message; the others are on the phone desk's call list for the day. "
                    "The note is the reason they are told."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cancel_booked") and cleaned.get("runs"):
            self.add_error("cancel_booked", _("Only a day the service does not run cancels its rides."))
        if cleaned.get("until") and cleaned.get("runs"):
            self.add_error("until", _("A time applies to a 運休: choose 'does not run'."))
        resumes, until = cleaned.get("resumes"), cleaned.get("until")
        if resumes is not None and until is None and "until" not in self.errors:
            self.add_error("resumes", _("Give the time the 運休 starts too."))
        elif resumes is not None and until is not None and resumes <= until:
            self.add_error("resumes", _("The service resumes after the 運休 starts (%(time)s).")
                           % {"time": until.strftime("%H:%M")})
        return cleaned

    def exception(self) -> dict:
        """The day's exception as actions_setup.save_exception takes it: a 運休 from a time is a day that runs
        until then."""
        data = self.cleaned_data
        return {"day": data["day"], "runs": data["runs"] or data["until"] is not None, "until": data["until"],
                "resumes": data["resumes"], "note": data["note"]}


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OutOfServiceForm(forms.Form):
    """「運休にする」 of one vehicle on 運行設定. Without a day: out of service from today until brought back (as
    before); with a last day, or a first day after today: for that span (actions_vehicle.take_out_for_span, which
    checks the days; the view puts its errors back on these fields)."""

    note = forms.CharField(label=_("Reason (riders are told it)"), max_length=200, required=False)
    first_day = forms.DateField(label=_("First day (empty: today)"), required=False, widget=DATE)
    last_day = forms.DateField(label=_("Last day (empty: until brought back)"), required=False, widget=DATE)
    move_booked = forms.BooleanField(
        label=_("Move its booked rides to the other vehicles (those none can take are cancelled and their riders "
                "told)"), required=False)

    def is_span(self, today) -> bool:
        data = self.cleaned_data
        return data["last_day"] is not None or (data["first_day"] is not None and data["first_day"] != today)


class BookingRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Booking"), choices=list(RULE_KIND_LABELS.items()))
    min_notice_minutes = forms.IntegerField(label=_("Minimum notice (minutes)"))
    max_notice_minutes = forms.IntegerField(label=_("Maximum notice (minutes, empty: none)"), required=False)
    prior_day_cutoff = forms.TimeField(label=_("Cut-off time the day before"), widget=TIME)
    max_days_ahead = forms.IntegerField(label=_("Bookings open this many days ahead"))
    cancel_minutes_before = forms.IntegerField(label=_("Free cancellation until (minutes before the pickup)"))
    no_show_limit = forms.IntegerField(label=_("Missed rides before booking by phone only (0: no limit)"))
    no_show_period_days = forms.IntegerField(label=_("Missed rides counted over (days)"))
    late_cancel_counts = forms.BooleanField(label=_("A late cancellation counts as a missed ride"), required=False)
    message = forms.CharField(label=_("Message to riders"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def as_file(self) -> dict:
        data = dict(self.cleaned_data)
        data["prior_day_cutoff"] = data["prior_day_cutoff"].strftime("%H:%M")
        return data


def rule_initial(rule: dict) -> dict:
    """The form's initial values from the area's rule as the file writes it."""
    return {**rule, "kind": rule["kind"] if rule["kind"] in RULE_KINDS else "same_day"}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Service file (JSON)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than %(size)s MB.")
                                        % {"size": MAX_FILE_BYTES // 1_000_000})
        return upload


class ConfirmImportForm(forms.Form):
    document = forms.CharField(widget=forms.HiddenInput, max_length=MAX_FILE_BYTES, strip=False)
    reviewed = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)


def place_errors(problems: list[Problem], pattern: str, *, rows=None, form: forms.Form | None = None) -> list[str]:
    """Put each problem whose path matches `pattern` on the field it names: with `rows` (a list of forms in the
    order their items were written), the pattern's groups are the item's index and the field (optional); else the
    field of `form` (optional). Answers the problems that fit no field (the page shows them above the forms)."""
    left = []
    matcher = re.compile(pattern)
    for problem in problems:
        match = matcher.fullmatch(problem.path)
        target, name = None, None
        if match and rows is not None:
            index, name = int(match.group(1)), match.group(2)
            target = rows[index] if index < len(rows) else None
        elif match:
            target, name = form, match.group(1)
        if target is not None and (name is None or name in target.fields):
            target.add_error(name, problem.message)
        else:
            left.append(str(problem))
    return left
