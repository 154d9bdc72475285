"""The municipality profile as data: the municipality, its JMA codes, districts and offices."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """One municipality Toki serves, loaded from a profile file (see `profiles/`)."""

    code = models.CharField(_("local government code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    prefecture = models.CharField(_("prefecture"), max_length=20)
    # JMA area codes by kind, e.g. {"city": ["1522400"], "primary_subdivision": ["150040"], ...}.
    jma_codes = models.JSONField(_("JMA area codes"), default=dict)
    # Everything else in the profile file that has no column of its own (bounds, island outline, etc.).
    profile = models.JSONField(default=dict)
    is_default = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return f"{self.name} ({self.code})"


class District(models.Model):
    """A district (地区) of a municipality; for Sado the ten former municipalities."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="districts")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    centre_lat = models.FloatField(_("centre latitude"))
    centre_lon = models.FloatField(_("centre longitude"))
    # GeoJSON Polygon or MultiPolygon geometry, [lon, lat] order as GeoJSON requires.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    boundary_is_approximate = models.BooleanField(_("boundary is approximate"), default=True)
    boundary_source = models.CharField(_("boundary source"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["municipality", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="district_code_unique")]

    def __str__(self):
        return self.name


class Office(models.Model):
    """A city office (本庁, 支所, 行政サービスセンター)."""

    class Kind(models.TextChoices):
        MAIN = "main", _("City hall")
        BRANCH = "branch", _("Branch office")
        SERVICE_CENTRE = "service_centre", _("Service centre")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="offices")
    district = models.ForeignKey(District, on_delete=models.SET_NULL, null=True, blank=True, related_name="offices")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="office_name_unique")]

    def __str__(self):
        return self.name
