"""Supply requests (物資要請) from a shelter opening to HQ, and HQ's answer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.shelters.models.openings import ShelterOpening


class SupplyRequest(models.Model):
    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent (today)")
        CRITICAL = "critical", _("Critical (now)")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for HQ")
        ACCEPTED = "accepted", _("Accepted")
        PARTLY = "partly", _("Partly accepted")
        DELIVERED = "delivered", _("Delivered")
        DECLINED = "declined", _("Declined")

    opening = models.ForeignKey(ShelterOpening, on_delete=models.PROTECT, related_name="supply_requests")
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer_note = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"supply request {self.pk}"


class SupplyItem(models.Model):
    request = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("item"), max_length=100)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} × {self.quantity}"
