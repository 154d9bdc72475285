"""Lifelines (power, water, roads, ferries and flights, telecoms) and the history of their status reports.

A Lifeline carries its current status, copied from the newest report (by the time the status was true), so the
public list is one query. Every report stays in the history; an older report arriving late joins the history
without overriding a newer current status.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """In the order the public page shows them."""

    FERRY = "ferry", _("Ferries")
    FLIGHT = "flight", _("Flights")
    ROAD = "road", _("Roads")
    POWER = "power", _("Power")
    WATER = "water", _("Water")
    TELECOM = "telecom", _("Telecoms")
    OTHER = "other", _("Other")


KIND_ORDER = {kind.value: index for index, kind in enumerate(Kind)}


class Status(models.TextChoices):
    NORMAL = "normal", _("Normal")
    PARTLY_DISRUPTED = "partly_disrupted", _("Partly disrupted")
    SUSPENDED = "suspended", _("Suspended")
    UNKNOWN = "unknown", _("Unknown")


# A symbol for each status, so the status never depends on colour alone (it is always shown with its text).
STATUS_SYMBOLS = {Status.NORMAL: "○", Status.PARTLY_DISRUPTED: "△", Status.SUSPENDED: "×", Status.UNKNOWN: "？"}


class Lifeline(models.Model):
    municipality = models.ForeignKey("areas.Municipality", on_delete=models.CASCADE, related_name="lifelines")
    code = models.SlugField(_("code"), max_length=60,
                            help_text=_("A short identifier used by imports, e.g. sado-kisen-ryotsu-ferry."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    district = models.ForeignKey("areas.District", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="lifelines", verbose_name=_("district"))
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="lifelines",
        verbose_name=_("responsible partner"),
        help_text=_("A partner or agency whose editors may report this lifeline's status."),
    )
    scheduled_service = models.BooleanField(
        _("has scheduled service"), default=True,
        help_text=_("Untick for a route or airport with no scheduled service (e.g. no scheduled flights)."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The current status: a copy of the newest report.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    expected_restoration_at = models.DateTimeField(_("expected restoration"), null=True, blank=True)
    status_as_of = models.DateTimeField(_("status as of"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    # The operator's or the city's own names in other languages, {"en": {"name": …}, "ko": {…}} (not the detail,
    # which changes with every report: it is read in Latin letters):
    # shown instead of the reading in Latin letters (toki.lib.readings).
    translations = models.JSONField(_("names in other languages"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lifeline")
        verbose_name_plural = _("lifelines")
        ordering = ["kind", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="lifeline_code_unique")]

    def __str__(self):
        return self.name

    @property
    def status_symbol(self) -> str:
        return STATUS_SYMBOLS.get(self.status, "？")

    @property
    def is_disrupted(self) -> bool:
        return self.status in (Status.PARTLY_DISRUPTED, Status.SUSPENDED)


class StatusReport(models.Model):
    """One statement of a lifeline's status: what, since when, from whom, entered by whom (or which import)."""

    lifeline = models.ForeignKey(Lifeline, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    # The status of the report before this one (by as_of), "" for the first: tells a change from a repeat.
    previous_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    expected_restoration_at = models.DateTimeField(_("expected restoration"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    as_of = models.DateTimeField(_("status as of"), help_text=_("When this status was true."))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    import_origin = models.CharField(_("import"), max_length=200, blank=True,
                                     help_text=_("The file or feed this report was imported from."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["lifeline", "as_of"], name="lifeline_report_asof_idx")]

    def __str__(self):
        return f"{self.lifeline} {self.status} @ {self.as_of:%Y-%m-%d %H:%M}"

    @property
    def status_symbol(self) -> str:
        return STATUS_SYMBOLS.get(self.status, "？")

    def same_content(self, other: "StatusReport") -> bool:
        fields = ("status", "detail", "expected_restoration_at", "source", "source_url", "as_of")
        return all(getattr(self, f) == getattr(other, f) for f in fields)
