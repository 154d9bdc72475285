"""A shelter opened for an incident: status (開設 / 満員 / 閉鎖) and crowding (空き / 混雑 / 満員)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.shelters.models.master import Shelter

# Crowding from occupancy (people checked in now) against capacity (docs/shelter-ops.md, "Crowding"):
# below 70 % 空き, from 70 % 混雑, from 100 % 満員. Without a capacity the computed crowding is 不明.
CROWDED_FROM = 0.7
FULL_FROM = 1.0


class OpeningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FULL = "full", _("Full (no more admissions)")
    CLOSED = "closed", _("Closed")


class Crowding(models.TextChoices):
    VACANT = "vacant", _("Space available")
    CROWDED = "crowded", _("Crowded")
    FULL = "full", _("Full")
    UNKNOWN = "unknown", _("Unknown")


# What the public reads (issue 14, item 3): plain words, never 「不明」. Staff pages keep the short labels.
PUBLIC_CROWDING_LABELS: dict[str, Any] = {  # str keys: an opening holds its crowding as text
    Crowding.VACANT: _("Space available"),
    Crowding.CROWDED: _("Crowded"),
    Crowding.FULL: _("Full: go to another shelter"),
    Crowding.UNKNOWN: _("No report on crowding yet"),
}


def crowding_for(people: int, capacity: int | None) -> str:
    """空き / 混雑 / 満員 from occupancy and capacity; 不明 when the capacity is unknown (or 0)."""
    if not capacity:
        return Crowding.UNKNOWN
    ratio = people / capacity
    if ratio >= FULL_FROM:
        return Crowding.FULL
    if ratio >= CROWDED_FROM:
        return Crowding.CROWDED
    return Crowding.VACANT


class ShelterOpening(models.Model):
    """One opening of one shelter for one incident. Changed only by toki.shelters.actions.openings."""

    shelter = models.ForeignKey(Shelter, on_delete=models.PROTECT, related_name="openings")
    incident = models.ForeignKey("hq.Incident", on_delete=models.PROTECT, related_name="shelter_openings")
    status = models.CharField(_("status"), max_length=10, choices=OpeningStatus.choices, default=OpeningStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Staff may override the computed crowding (e.g. the hall is full of belongings); who and when are kept.
    crowding_override = models.CharField(_("crowding set by staff"), max_length=10, choices=Crowding.choices,
                                         blank=True)
    crowding_set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+")
    crowding_set_at = models.DateTimeField(null=True, blank=True)
    # Occupancy now, kept by the check-in actions in the same transaction as the registrations.
    people_in = models.PositiveIntegerField(_("people now"), default=0)
    households_in = models.PositiveIntegerField(_("households now"), default=0)
    # 状況確認日時: when staff last confirmed the status is current (a one-tap "still current").
    confirmed_at = models.DateTimeField(_("status confirmed at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shelter opening")
        verbose_name_plural = _("shelter openings")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["shelter", "incident"], condition=~models.Q(status="closed"),
                                    name="shelter_one_live_opening_per_incident"),
        ]
        indexes = [models.Index(fields=["status", "shelter"], name="opening_status_shelter")]

    def __str__(self):
        return f"{self.shelter} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status != OpeningStatus.CLOSED

    @property
    def computed_crowding(self) -> str:
        return crowding_for(self.people_in, self.shelter.capacity)

    @property
    def crowding(self) -> str:
        """What the public sees: closed → none; 満員 status → full; a staff override; else computed."""
        if self.status == OpeningStatus.FULL:
            return Crowding.FULL
        return self.crowding_override or self.computed_crowding

    def get_crowding_display(self) -> str:
        return Crowding(self.crowding).label
