from django import forms
from django.utils.translation import gettext_lazy as _

from toki.transport.fares.conf import PRODUCTS
from toki.transport.fares.models import QuasiApplication

MAX_EVIDENCE = 5 * 1024 * 1024
EVIDENCE_TYPES = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}


class QuasiForm(forms.Form):
    category = forms.ChoiceField(label=_("Why you qualify"), choices=QuasiApplication.Category.choices)
    evidence = forms.FileField(label=_("Evidence (PDF, JPEG or PNG, at most 5 MB)"))

    def clean_evidence(self):
        upload = self.cleaned_data["evidence"]
        if upload.size > MAX_EVIDENCE:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(magic) for magic in EVIDENCE_TYPES.values()):
            raise forms.ValidationError(_("The file is not a PDF, JPEG or PNG."))
        return upload


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    valid_until = forms.DateField(label=_("Valid until"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve" and not data.get("valid_until"):
            self.add_error("valid_until", _("An approval needs an end date."))
        return data


class BuyForm(forms.Form):
    product = forms.ChoiceField(choices=[(p, p) for p in PRODUCTS])
