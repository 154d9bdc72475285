"""The municipality's consent mode (第49条の11第2項 ただし書) as versioned data: each record is an administrative act
(the mode, the ordinance that allows it, the day it takes effect, who recorded it and why). The mode in force on a
day is the record with the latest start on or before that day; the records are never edited (the history page
lists them all). With no record at all, the TOKI_REGISTRY_CONSENT_MODE setting answers (conf.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentMode(models.Model):
    class Mode(models.TextChoices):
        OPT_IN = "opt_in", _("Opt-in: only those who consented (the statute's rule)")
        OPT_OUT = "opt_out", _("Opt-out by ordinance: everyone except those who refused")
        PRESUMED = "presumed", _("Presumed consent by ordinance: asked and did not refuse")
        NOT_REQUIRED = "not_required", _("Consent not required by ordinance")
        MIXED = "mixed", _("Mixed: a mode per recipient class")

    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    # For MIXED: {recipient class: one of the four plain modes}; unlisted classes are opt-in.
    class_modes = models.JSONField(_("mode per recipient class"), default=dict, blank=True)
    ordinance = models.CharField(_("ordinance (name and number)"), max_length=200, blank=True)
    starts_on = models.DateField(_("in force from"))
    reason = models.TextField(_("why"), max_length=1000)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))
    changed_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("consent mode")
        verbose_name_plural = _("consent modes")
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return f"consent mode {self.pk} ({self.mode} from {self.starts_on})"

    def mode_for(self, recipient_class: str) -> str:
        if self.mode == self.Mode.MIXED:
            return self.class_modes.get(recipient_class, self.Mode.OPT_IN)
        return self.mode
