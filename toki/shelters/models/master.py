"""The shelter master: designated shelters and emergency evacuation sites, keyed on the GSI 共通ID."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District, Municipality

# The eight hazards of the 災害対策基本法 designation, in the GSI column order: (field, column label as in the
# data files, which the importers match).
HAZARDS = (
    ("hazard_flood", "洪水"),
    ("hazard_landslide", "崖崩れ、土石流及び地滑り"),
    ("hazard_storm_surge", "高潮"),
    ("hazard_earthquake", "地震"),
    ("hazard_tsunami", "津波"),
    ("hazard_large_fire", "大規模な火事"),
    ("hazard_inland_flood", "内水氾濫"),
    ("hazard_volcano", "火山現象"),
)
# What a person reads, translated (English message ids, docs/adr/0002-english-msgids.md).
HAZARD_LABELS = {
    "hazard_flood": _("Flood"),
    "hazard_landslide": _("Landslide and debris flow"),
    "hazard_storm_surge": _("Storm surge"),
    "hazard_earthquake": _("Earthquake"),
    "hazard_tsunami": _("Tsunami"),
    "hazard_large_fire": _("Large fire"),
    "hazard_inland_flood": _("Inland flooding"),
    "hazard_volcano": _("Volcano"),
}


def directions_url(lat: float, lon: float) -> str:
    """Walking directions to the point in the reader's own map app (a plain link: nothing is sent until the reader
    follows it)."""
    return f"https://www.google.com/maps/dir/?api=1&travelmode=walking&destination={lat:.6f},{lon:.6f}"


class ShelterKind(models.TextChoices):
    """避難所種別 (reference/shelters.md §2: the Lアラート-style codes and the 災対法 designations)."""

    DESIGNATED_SHELTER = "designated_shelter", _("Designated shelter (指定避難所)")
    WELFARE_SHELTER = "welfare_shelter", _("Welfare shelter (福祉避難所)")
    SHELTER_AND_SITE = "shelter_and_site", _("Shelter that is also an evacuation site")
    EMERGENCY_SITE = "emergency_site", _("Designated emergency evacuation site (指定緊急避難場所)")
    TEMPORARY_SHELTER = "temporary_shelter", _("Temporary shelter (臨時避難所)")
    WIDE_AREA_SITE = "wide_area_site", _("Wide-area evacuation site (広域避難場所)")
    TEMPORARY_SITE = "temporary_site", _("Temporary evacuation site (一時避難場所)")


# The Lアラート-style 避難所種別 code of each kind (used by municipal LINE systems, reference §2).
LALERT_KIND_CODES = {
    ShelterKind.DESIGNATED_SHELTER: "1", ShelterKind.TEMPORARY_SHELTER: "2", ShelterKind.SHELTER_AND_SITE: "3",
    ShelterKind.WIDE_AREA_SITE: "4", ShelterKind.TEMPORARY_SITE: "5", ShelterKind.WELFARE_SHELTER: "9",
    ShelterKind.EMERGENCY_SITE: "",
}
# Kinds where people stay (an opening with check-in makes sense); the others are places to flee to.
STAYING_KINDS = (ShelterKind.DESIGNATED_SHELTER, ShelterKind.WELFARE_SHELTER, ShelterKind.SHELTER_AND_SITE,
                 ShelterKind.TEMPORARY_SHELTER)


class Shelter(models.Model):
    """One physical site with every designation it has. The GSI data lists a place designated both ways twice,
    under two 共通ID (e.g. `…00001111` 指定避難所 and `…00001201` 指定緊急避難場所): each listing is a
    ShelterDesignation of the one site, whose fields follow from them (toki.shelters.sites; docs/shelter-import.md,
    "One place per site"). `common_id` is the ID of its primary listing (the 指定避難所 one when there is one)."""

    class Source(models.TextChoices):
        GSI_GEOJSON = "gsi-geojson", _("GSI GeoJSON")
        GSI_CSV = "gsi-csv", _("GSI CSV")
        STANDARD_CSV = "standard-csv", _("Standard open data CSV")

    common_id = models.CharField(_("common ID"), max_length=40, unique=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="shelters")
    district = models.ForeignKey(District, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="shelters")
    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    is_designated_shelter = models.BooleanField(_("designated shelter"), default=False)
    is_emergency_site = models.BooleanField(_("designated evacuation site"), default=False)
    # GSI 「指定避難所との住所同一」/「指定緊急避難場所との住所同一」, standard CSV 「指定避難所との重複」.
    shares_site_with_other_designation = models.BooleanField(_("same site as the other designation"),
                                                             default=False)
    hazard_flood = models.BooleanField(HAZARD_LABELS["hazard_flood"], default=False)
    hazard_landslide = models.BooleanField(HAZARD_LABELS["hazard_landslide"], default=False)
    hazard_storm_surge = models.BooleanField(HAZARD_LABELS["hazard_storm_surge"], default=False)
    hazard_earthquake = models.BooleanField(HAZARD_LABELS["hazard_earthquake"], default=False)
    hazard_tsunami = models.BooleanField(HAZARD_LABELS["hazard_tsunami"], default=False)
    hazard_large_fire = models.BooleanField(HAZARD_LABELS["hazard_large_fire"], default=False)
    hazard_inland_flood = models.BooleanField(HAZARD_LABELS["hazard_inland_flood"], default=False)
    hazard_volcano = models.BooleanField(HAZARD_LABELS["hazard_volcano"], default=False)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    # Set by HQ (toki.shelters.actions.master.update_shelter_details); empty = derived from the designation.
    kind = models.CharField(_("shelter type"), max_length=30, choices=ShelterKind.choices, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    accepted_people = models.CharField(_("accepted people"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The municipality's own names in other languages, {"en": {"name": …, "address": …}, "zh-hans": {…}}: shown
    # instead of the reading in Latin letters (toki.lib.readings). Set by HQ, never by an import.
    translations = models.JSONField(_("names in other languages"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    imported_at = models.DateTimeField(_("first imported"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        ordering = ["common_id"]
        indexes = [models.Index(fields=["municipality", "district"], name="shelter_muni_district")]

    def __str__(self):
        return self.name

    @property
    def effective_kind(self) -> str:
        """The kind HQ set, else what the GSI designation says."""
        if self.kind:
            return self.kind
        if self.is_designated_shelter and self.is_emergency_site:
            return ShelterKind.SHELTER_AND_SITE
        if self.is_designated_shelter:
            return ShelterKind.DESIGNATED_SHELTER
        return ShelterKind.EMERGENCY_SITE

    def get_effective_kind_display(self) -> str:
        return ShelterKind(self.effective_kind).label

    def hazard_labels(self) -> list[str]:
        """The translated names of the hazards this place is designated for, in the GSI order."""
        return [HAZARD_LABELS[field] for field, _column in HAZARDS if getattr(self, field)]

    def hazard_codes(self) -> tuple[str, ...]:
        """The hazards this place is designated for, as codes (toki.shelters.hazards), in the GSI order."""
        return tuple(field.removeprefix("hazard_") for field, _column in HAZARDS if getattr(self, field))

    @property
    def directions_url(self) -> str:
        return directions_url(self.lat, self.lon)


class ShelterDesignation(models.Model):
    """One listing of a site in an imported file (a GSI 共通ID, a standard-CSV ID), with the fields as that row
    set them: the importer compares a row with its listing (idempotency) and derives the site from all of them."""

    class Kind(models.TextChoices):
        DESIGNATED_SHELTER = "designated_shelter", _("Designated shelter (指定避難所)")
        EMERGENCY_SITE = "emergency_site", _("Designated emergency evacuation site (指定緊急避難場所)")

    shelter = models.ForeignKey(Shelter, on_delete=models.CASCADE, related_name="designations")
    common_id = models.CharField(_("common ID"), max_length=40, unique=True)
    kind = models.CharField(_("designation"), max_length=20, choices=Kind.choices)
    values = models.JSONField(_("fields as listed"), default=dict)
    imported_at = models.DateTimeField(_("first imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["common_id"]

    def __str__(self):
        return f"{self.common_id} ({self.get_kind_display()})"


class ShelterTeam(models.Model):
    """Which shelter an org unit of kind shelter_team runs: its members manage that shelter's openings."""

    org_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.CASCADE, related_name="shelter_teams")
    shelter = models.ForeignKey(Shelter, on_delete=models.CASCADE, related_name="teams")

    class Meta:
        verbose_name = _("shelter team")
        verbose_name_plural = _("shelter teams")
        constraints = [models.UniqueConstraint(fields=["org_unit", "shelter"], name="shelter_team_unique")]

    def __str__(self):
        return f"{self.org_unit} → {self.shelter}"
