"""Yearly consent mailings: a cohort of people gets a printed form (the consent text version, a box per recipient
class × scope, a reply code); staff record the returned answers by the code; non-responders are chased by a
second mailing or a visit by the 民生委員. The reply code identifies the mailing item only (no personal data)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Mailing(models.Model):
    class Cohort(models.TextChoices):
        UNANSWERED = "unanswered", _("No answer yet (未回答)")
        EXPIRING = "expiring", _("Consent expires within N days")
        CHASE = "chase", _("Second mailing to those who did not answer")

    cohort = models.CharField(_("who gets it"), max_length=20, choices=Cohort.choices)
    days = models.PositiveIntegerField(_("days (for expiring)"), null=True, blank=True)
    district = models.ForeignKey("areas.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("district (empty: all)"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="chases",
                               verbose_name=_("first mailing"))
    text_version = models.CharField(_("version of the consent text"), max_length=40)
    valid_years = models.PositiveSmallIntegerField(_("answers valid for (years)"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("made at"))

    class Meta:
        verbose_name = _("consent mailing")
        verbose_name_plural = _("consent mailings")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"mailing {self.pk} ({self.cohort})"


class MailingItem(models.Model):
    """One person's form in a mailing. `reply_code` is random (no personal data, not guessable from the id)."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    reply_code = models.CharField(_("reply code"), max_length=12, unique=True)
    answered_on = models.DateField(_("answer received on"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    # What the answer was, in counts: {"consented": n, "declined": n} (the states are on the Consent rows).
    outcome = models.JSONField(default=dict, blank=True)
    visit_requested_at = models.DateTimeField(_("visit asked of the 民生委員 at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailed consent form")
        verbose_name_plural = _("mailed consent forms")
        ordering = ["mailing_id", "id"]
        constraints = [models.UniqueConstraint(fields=["mailing", "person"], name="registry_mailing_item_once")]

    def __str__(self):
        return f"mailing item {self.pk}"
