"""A periodic refresh from the welfare and resident systems, held for approval: the diff (new, changed, left —
moved, died, entered a facility, no longer meets the criteria, absent from the file) is shown to staff, and
nothing reaches the register until an officer approves it. The staged values are encrypted like the register."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from toki.registry.fields import EncryptedJSONField


class Refresh(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPLIED = "applied", _("Applied")
        DISCARDED = "discarded", _("Discarded")

    file_name = models.CharField(_("file"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("diffed at"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)  # {"new": n, "changed": n, "left": n, "unchanged": n, ...}

    class Meta:
        verbose_name = _("register refresh")
        verbose_name_plural = _("register refreshes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"refresh {self.pk} ({self.state})"


class RefreshChange(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("New")
        CHANGED = "changed", _("Changed")
        LEFT = "left", pgettext_lazy("registry refresh", "Left")  # the register, not a shelter (退所)

    class Decision(models.TextChoices):
        UNDECIDED = "", _("Not decided")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class LeftReason(models.TextChoices):
        MOVED = "moved", _("Moved away")
        DIED = "died", _("Died")
        FACILITY = "facility", _("Entered a facility")
        CRITERIA = "criteria", _("No longer meets the criteria")
        ABSENT = "absent", _("Not in the file")

    refresh = models.ForeignKey(Refresh, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    source_index = models.CharField(max_length=64, blank=True)
    district_id = models.PositiveBigIntegerField(null=True, blank=True)
    left_reason = models.CharField(max_length=10, choices=LeftReason.choices, blank=True)
    changed_fields = models.JSONField(default=list)  # field names only
    values = EncryptedJSONField(blank=True)  # the person's values after the change (new and changed)
    # The reviewer's decision per row (views_refresh): only approved rows are applied.
    decision = models.CharField(max_length=10, choices=Decision.choices, default="", blank=True)

    class Meta:
        ordering = ["refresh_id", "kind", "id"]
        indexes = [models.Index(fields=["refresh", "kind"], name="registry_refresh_kind")]

    def __str__(self):
        return f"refresh change {self.pk} ({self.kind})"
