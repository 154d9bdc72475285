"""Instructions (指示) from HQ to an org unit or a person, with acknowledgement (reference §7).

States: issued (発出) → acknowledged (受領) → in progress (着手) → done (完了報告), or cancelled (取消) from any open
state. Every step keeps who and when, so time-to-acknowledge and time-to-done can be measured (the KPI)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.accounts.models import OrgUnit
from toki.areas.models import District
from toki.hq.models.incidents import Incident

# An instruction still unacknowledged this long after it was issued stands out (shown red, in the filter).
ACKNOWLEDGE_WITHIN = timedelta(minutes=15)


class Instruction(models.Model):
    class Priority(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        HIGH = "high", _("High")
        NORMAL = "normal", _("Normal")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.ISSUED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="instructions")
    title = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    to_org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("to organisation"))
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("to person"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("district"))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    result = models.TextField(_("result"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["incident", "status"], name="hq_instruction_open")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(to_org_unit__isnull=False, to_user__isnull=True)
                           | models.Q(to_org_unit__isnull=True, to_user__isnull=False)),
                name="hq_instruction_one_addressee"),
        ]

    def __str__(self):
        return self.title

    @property
    def addressee(self):
        return self.to_user or self.to_org_unit

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.due_at is not None and self.due_at < now

    def is_unacknowledged_late(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.ISSUED and self.issued_at + ACKNOWLEDGE_WITHIN < now

    def needs_attention(self, now=None) -> bool:
        return self.is_overdue(now) or self.is_unacknowledged_late(now)

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        return self.acknowledged_at - self.issued_at if self.acknowledged_at else None

    @property
    def time_to_done(self) -> timedelta | None:
        return self.done_at - self.issued_at if self.done_at else None
