"""Damage reports and the 第4号様式 (docs/damage-reports.md).

FormDefinition: a form (FDMA 第4号様式 or a prefecture's variant) as versioned data. DamageReport: one site or
area and category of one incident; each filing or correction is an append-only DamageReportVersion whose numbers
are DamageCount rows (one per item). IssuedReport: a frozen 第N報 with the report versions it was made from.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.accounts.models import OrgUnit
from toki.areas.models import District
from toki.hq.damage.definition import Definition
from toki.hq.models import Incident


class FormDefinition(models.Model):
    """A resolved form definition (see definition.py). Never changed once loaded: a change is a new version."""

    code = models.CharField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    spec = models.JSONField(_("definition"))
    checksum = models.CharField(max_length=64)
    active = models.BooleanField(_("active"), default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("form definition")
        verbose_name_plural = _("form definitions")
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="damage_definition_unique"),
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                    name="damage_one_active_definition"),
        ]

    def __str__(self):
        return f"{self.code} {self.version}"

    @property
    def definition(self) -> Definition:
        cached = getattr(self, "_definition", None)
        if cached is None:
            cached = self._definition = Definition(self.spec)
        return cached


class DamageReport(models.Model):
    """One site/area and category of an incident. Its numbers are those of its current version."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="damage_reports")
    definition = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="reports")
    category = models.CharField(_("category"), max_length=80)
    # Of the current version (a correction may move a report to another district).
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="damage_reports",
                                 verbose_name=_("district"))
    current_version = models.ForeignKey("DamageReportVersion", on_delete=models.PROTECT, null=True,
                                        related_name="+")
    confirmed_version = models.ForeignKey("DamageReportVersion", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("damage report")
        verbose_name_plural = _("damage reports")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["incident", "district"], name="damage_report_incident_idx")]

    def __str__(self):
        return f"#{self.pk} {self.category}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_version_id is not None and self.confirmed_version_id == self.current_version_id


class DamageReportVersion(models.Model):
    """One filing or correction: the complete state of the report at that time. Append-only."""

    report = models.ForeignKey(DamageReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    # When the numbers were true on the ground (lifeline peaks are computed over this); never before the
    # previous version's. A correction of a wrong figure keeps the previous version's time.
    observed_at = models.DateTimeField(_("observed at"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address or place"), max_length=200, blank=True)
    text = models.TextField(_("details"), blank=True)
    reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("damage report version")
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="damage_version_unique")]

    def __str__(self):
        return f"#{self.report_id} v{self.number}"


class DamageCount(models.Model):
    """One number of one version. Report, incident, district and times are copied from the version so the live
    aggregate is one grouped query on this table (docs/damage-reports.md, "Speed")."""

    version = models.ForeignKey(DamageReportVersion, on_delete=models.CASCADE, related_name="counts")
    report = models.ForeignKey(DamageReport, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=80)
    value = models.DecimalField(max_digits=16, decimal_places=3)
    observed_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    # True while its version is the report's current one (the only field ever updated, by the correcting action).
    is_current = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "item"], name="damage_count_unique")]
        indexes = [
            models.Index(fields=["incident", "is_current", "district", "item"], name="damage_count_current_idx"),
            models.Index(fields=["incident", "item", "observed_at"], name="damage_count_series_idx"),
        ]

    def __str__(self):
        return f"{self.item}={self.value}"


class DamagePhoto(models.Model):
    """A photo added with a version (re-encoded without metadata by toki.posts.photos.clean_photo)."""

    report = models.ForeignKey(DamageReport, on_delete=models.CASCADE, related_name="photos")
    version = models.ForeignKey(DamageReportVersion, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(max_length=200)
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()

    def __str__(self):
        return self.file.name


class AgencyScope(models.Model):
    """A category an external agency's members may file reports in (for example 東北電力 → power)."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="damage_scopes")
    category = models.CharField(_("category"), max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "category"], name="damage_scope_unique")]

    def __str__(self):
        return f"{self.org_unit_id}: {self.category}"


class IssuedReport(models.Model):
    """A numbered report (第N報) frozen at `as_of`: numbers, the definition, and the report versions used."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="issued_damage_reports")
    number = models.PositiveIntegerField(_("report number"))
    definition = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateTimeField(_("as of"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reporter_name = models.CharField(_("reporter"), max_length=100)
    is_drill = models.BooleanField(default=False)
    # {"totals", "by_district", "districts", "current", "peak_at", "sources", "report_count", "last_report_at"}
    snapshot = models.JSONField()
    # Free text of その1 and 備考: place, time, overview, response (keys in forms.NOTE_FIELDS).
    notes = models.JSONField(default=dict, blank=True)
    versions = models.ManyToManyField(DamageReportVersion, related_name="issued_in")

    class Meta:
        verbose_name = _("issued report")
        ordering = ["incident", "-number"]
        constraints = [models.UniqueConstraint(fields=["incident", "number"], name="damage_issued_unique")]

    def __str__(self):
        return f"第{self.number}報"


class DamageTotal(models.Model):
    """Denormalised: the sum over the incident's current report versions per district and item (for peak items:
    the concurrent outage now). Kept by totals.py inside the filing and correcting actions; rebuilt from the
    DamageCount rows by `manage.py rebuild_damage_totals`."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=80)
    value = models.DecimalField(max_digits=16, decimal_places=3)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "district", "item"], name="damage_total_unique")]

    def __str__(self):
        return f"{self.item}={self.value}"


class LifelineLevel(models.Model):
    """Denormalised step function of a peak item's concurrent total, for one district or (district None) the
    whole incident: `level` holds from `observed_at` until the next row. See totals.py."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, related_name="+")
    item = models.CharField(max_length=80)
    observed_at = models.DateTimeField()
    level = models.DecimalField(max_digits=16, decimal_places=3)

    class Meta:
        indexes = [
            models.Index(fields=["incident", "item", "district", "observed_at"], name="damage_level_time_idx"),
            models.Index(fields=["incident", "item", "district", "level"], name="damage_level_value_idx"),
        ]

    def __str__(self):
        return f"{self.item}@{self.observed_at:%Y-%m-%d %H:%M}={self.level}"


class LifelinePeak(models.Model):
    """Denormalised: the highest LifelineLevel of an item per district (or the incident, district None) and the
    first moment it was reached."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, related_name="+")
    item = models.CharField(max_length=80)
    peak = models.DecimalField(max_digits=16, decimal_places=3)
    peak_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.item} peak {self.peak}"
