"""個別避難計画 (災害対策基本法 第49条の14): one plan per person on the register, made only with the person's consent
(under the municipality's mode), naming the 避難支援等実施者 (supporters) — each with their own consent, since
sharing a plan in normal times needs the supporters' consent too (PPC FAQ Q7-22) —, where to go and by which
way, 配慮事項, 持出品, when to start by 警戒レベル and the family's contacts. Every save keeps a dated version.

Personal values are encrypted like the register (fields.py). In clear: ids, the author's kind, the 警戒レベル,
dates, the states of consents, and the destination shelter (public data). Hazard layers (public data loaded by
the municipality) are drawn on the supporters' map."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.registry.fields import EncryptedJSONField, EncryptedTextField
from toki.registry.models import Consent, Person

# The encrypted content of a plan, in the order of the printed page. A version keeps a snapshot of these.
PLAN_FIELDS = ("author_name", "destination_other", "destination_point", "home_point", "route", "considerations",
               "carry_items", "timing_note", "family_contacts")
SUPPORTER_FIELDS = ("name", "address", "phone", "role")


class AuthorKind(models.TextChoices):
    """Who wrote the plan (registry-practice.md A.4: the person, care professionals as in the 別府モデル, a local
    group, or the city)."""

    PERSON = "person", _("The person (or their family)")
    CARE_PROFESSIONAL = "care", _("A care professional (care manager, counsellor)")
    LOCAL_GROUP = "local", _("A local group (自治会, 自主防災組織, 民生委員)")
    CITY = "city", _("The city")


class AlertLevel(models.IntegerChoices):
    """警戒レベル at which the person starts to evacuate (避難情報に関するガイドライン)."""

    LEVEL_3 = 3, _("Level 3: 高齢者等避難 (older people and those who need time to evacuate)")
    LEVEL_4 = 4, _("Level 4: 避難指示 (evacuation order)")
    LEVEL_5 = 5, _("Level 5: 緊急安全確保 (secure safety at once)")


class Plan(models.Model):
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="plan")
    version = models.PositiveIntegerField(_("version"), default=1)
    author_kind = models.CharField(_("written by"), max_length=10, choices=AuthorKind.choices)
    author_name = EncryptedTextField(_("author's name"), blank=True)
    # Where to go: a shelter of the master (public data), or another place (a relative's house, …).
    destination_shelter = models.ForeignKey("shelters.Shelter", on_delete=models.SET_NULL, null=True, blank=True,
                                            related_name="+", verbose_name=_("destination shelter"))
    destination_other = EncryptedTextField(_("other destination"), blank=True)
    destination_point = EncryptedJSONField(_("position of the other destination"), blank=True)  # [lat, lon]
    # Where the route starts (the person's home): a person's position is personal data.
    home_point = EncryptedJSONField(_("start of the route (home)"), blank=True)  # [lat, lon]
    route = EncryptedJSONField(_("route (waypoints)"), blank=True)  # [[lat, lon], …] without the two ends
    considerations = EncryptedTextField(_("considerations (配慮事項)"), blank=True)
    carry_items = EncryptedJSONField(_("things to take (持出品)"), blank=True)  # [item, …]
    start_level = models.PositiveSmallIntegerField(_("start at alert level"), choices=AlertLevel.choices,
                                                   default=AlertLevel.LEVEL_3)
    timing_note = EncryptedTextField(_("timing notes"), blank=True)
    family_contacts = EncryptedJSONField(_("family contacts"), blank=True)  # [{name, relation, phone}]
    review_due = models.DateField(_("review due"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("individual evacuation plan")
        verbose_name_plural = _("individual evacuation plans")
        ordering = ["person_id"]

    def __str__(self):
        return f"evacuation plan {self.pk} (v{self.version})"  # never the person's name


class PlanVersion(models.Model):
    """A dated snapshot of a plan as saved (who saved it, what it said); the latest equals the plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    review_due = models.DateField()
    content = EncryptedJSONField(blank=True)  # the encrypted fields and the clear ones, as saved

    class Meta:
        ordering = ["plan_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="registry_plan_version_once")]

    def __str__(self):
        return f"plan {self.plan_id} v{self.number}"


class SupporterRelation(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbour")
    FAMILY = "family", _("Family living apart")
    COMMUNITY = "community", _("自治会 / 自主防災組織")
    MINSEI = "minsei", _("民生委員")
    CARE = "care", _("Care provider")
    OTHER = "other", _("Other")


class Supporter(models.Model):
    """A 避難支援等実施者 (第49条の14第2項第1号: 氏名又は名称, 住所又は居所, 電話番号その他の連絡先). Named
    supporters carry no legal liability (松本市, 郡上市); they must consent before the plan is shared."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="supporters")
    name = EncryptedTextField(_("name"))
    address = EncryptedTextField(_("address"), blank=True)
    phone = EncryptedTextField(_("phone or other contact"))
    relation = models.CharField(_("relation"), max_length=12, choices=SupporterRelation.choices)
    role = EncryptedTextField(_("what they do"), blank=True)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "id"]

    def __str__(self):
        return f"supporter {self.pk} of plan {self.plan_id}"


class SupporterConsent(models.Model):
    """A supporter's own answer about taking part and having the plan shared (never edited: the latest counts)."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consents")
    state = models.CharField(_("state"), max_length=20, choices=Consent.State.choices)
    text_version = models.CharField(_("version of the consent text shown"), max_length=40)
    method = models.CharField(_("how it was obtained"), max_length=10, choices=Consent.Method.choices)
    given_on = models.DateField(_("date of the answer"))
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["supporter_id", "-recorded_at", "-id"]

    def __str__(self):
        return f"supporter consent {self.pk} ({self.state})"


class HazardKind(models.TextChoices):
    FLOOD = "flood", _("Flood")
    LANDSLIDE = "landslide", _("Landslide and debris flow")
    STORM_SURGE = "storm_surge", _("Storm surge")
    TSUNAMI = "tsunami", _("Tsunami")
    INLAND_FLOOD = "inland_flood", _("Inland flooding")
    VOLCANO = "volcano", _("Volcano")
    OTHER = "other", _("Other")


class HazardLayer(models.Model):
    """A hazard area layer (ハザードマップ) the municipality loads from GeoJSON (`manage.py registry_load_hazards`):
    polygons in WGS84, drawn on the supporters' map. Public data; `is_demo` marks made-up layers."""

    municipality = models.ForeignKey("areas.Municipality", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    hazard = models.CharField(_("hazard"), max_length=20, choices=HazardKind.choices)
    source = models.CharField(_("source"), max_length=200)
    is_demo = models.BooleanField(_("made-up demo data"), default=False)
    features = models.JSONField(default=list)  # validated GeoJSON Features (Polygon / MultiPolygon)
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["municipality_id", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="registry_hazard_layer_name")]

    def __str__(self):
        return f"hazard layer {self.name}"
