"""手上げ方式: a person (or a relative for them) applies to be on the register, on the web or on paper entered by
staff. An application waits in the officers' review queue; nothing reaches the register until an officer approves
it (then a Person is created, or the matching one updated, and the consent answers are recorded). The applicant's
values are encrypted like the register; the blind indexes find people already on it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.registry.fields import EncryptedJSONField, EncryptedTextField


class Application(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        WEB = "web", _("On the web (手上げ)")
        PAPER = "paper", _("On paper, entered by staff (紙)")

    class Applicant(models.TextChoices):
        SELF = "self", _("The person")
        PROXY = "proxy", _("A relative or carer for the person")

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    source = models.CharField(_("how it came"), max_length=10, choices=Source.choices)
    district = models.ForeignKey("areas.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))
    # The items as the import parses them (importing._parse: dates as ISO), encrypted as one value.
    values = EncryptedJSONField(_("the applicant's items"))
    applicant = models.CharField(_("who applied"), max_length=10, choices=Applicant.choices)
    proxy_name = EncryptedTextField(_("proxy's name"), blank=True)
    proxy_phone = EncryptedTextField(_("proxy's phone"), blank=True)
    proxy_relation = models.CharField(_("proxy's relation"), max_length=40, blank=True)
    proxy_takes_responsibility = models.BooleanField(_("the proxy takes responsibility"), default=False)
    # {"<recipient class>:<scope>": "consented" | "declined"}: the answers as given, recorded on approval.
    consents = models.JSONField(_("consent answers"), default=dict)
    text_version = models.CharField(_("version of the consent text shown"), max_length=40)
    consent_method = models.CharField(_("how the consent was given"), max_length=10)
    kana_index = models.CharField(max_length=64, blank=True, db_index=True)
    birth_date_index = models.CharField(max_length=64, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("received at"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by (paper)"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = EncryptedTextField(_("why it was rejected"), blank=True)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("person on the register"))

    class Meta:
        verbose_name = _("application to the register")
        verbose_name_plural = _("applications to the register")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["state", "submitted_at"], name="registry_application_queue")]

    def __str__(self):
        return f"application {self.pk} ({self.state})"
