"""The consent mode's history and its change (registry officers): every record, the one in force today, and a
form to record a new one (an audited act with the ordinance, the start date and the reason)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from toki.registry import modes
from toki.registry.forms_apply import add_refusal
from toki.registry.models import RecipientClass
from toki.registry.permissions import may_keep_register
from toki.registry.views import render_registry

CLASS_MODE_CHOICES = [("", _("Opt-in (the statute's rule)"))] + [
    (m.value, m.label) for m in modes.PLAIN_MODES if m != modes.Mode.OPT_IN]


class ModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=modes.Mode.choices, widget=forms.RadioSelect)
    ordinance = forms.CharField(label=_("Ordinance (name and number)"), required=False, max_length=200)
    starts_on = forms.DateField(label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Why"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for recipient_class in RecipientClass:
            self.fields[f"class_{recipient_class.value}"] = forms.ChoiceField(
                label=recipient_class.label, choices=CLASS_MODE_CHOICES, required=False)

    def class_fields(self):
        return [self[f"class_{c}"] for c in RecipientClass.values]

    def class_modes(self) -> dict:
        return {c: self.cleaned_data[f"class_{c}"] for c in RecipientClass.values
                if self.cleaned_data.get(f"class_{c}")}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consent_mode(request):
    if not may_keep_register(request.user):
        raise Http404
    form = ModeForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            modes.change_consent_mode(actor=request.user, mode=data["mode"], starts_on=data["starts_on"],
                                      reason=data["reason"], ordinance=data["ordinance"],
                                      class_modes=form.class_modes())
            return redirect("registry:consent_mode")
        except ValueError as refused:
            add_refusal(form, refused)
    in_force = modes.mode_in_force()
    return render_registry(request, "registry/consent_mode.html", {
        "form": form, "history": modes.history(), "in_force": in_force,
        "setting_mode": modes.setting_mode() if in_force is None else ""},
        status=400 if form.errors else 200)
