"""The chronology (クロノロジー): the append-only log of what happened during an incident (reference §6).

Rows are never edited or deleted (the database refuses it, migration hq/0003); a correction is an annotation
(`ChronologyAnnotation`) or a new entry."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District
from toki.hq.models.incidents import Incident


class ChronologyCategory(models.TextChoices):
    """The 分野 an entry is classified under (e-college's 人的被害 / 建物被害 / 避難 walls, plus the feeds)."""

    WEATHER = "weather", _("Weather and warnings")
    EVACUATION = "evacuation", _("Evacuation orders")
    SHELTER = "shelter", _("Shelters")
    DAMAGE = "damage", _("Damage")
    INSTRUCTION = "instruction", _("Instructions")
    HQ = "hq", _("HQ organisation")
    LIFELINE = "lifeline", _("Lifelines and transport")
    REQUEST = "request", _("Requests and support")
    OTHER = "other", _("Other")


class ChronologyEntry(models.Model):
    """One line of the chronology: 時間, 発信者, 受信者, 内容, classified by 分野 and 地域, linked to its source."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="chronology")
    at = models.DateTimeField(_("time"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    sender = models.CharField(_("from"), max_length=200, blank=True)
    recipient = models.CharField(_("to"), max_length=200, blank=True)
    content = models.TextField(_("content"))
    category = models.CharField(_("category"), max_length=12, choices=ChronologyCategory.choices,
                                default=ChronologyCategory.OTHER)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("district"))
    # The object this entry came from (an alert, an order, an instruction, a damage report, a shelter opening).
    source_type = models.CharField(_("source type"), max_length=80, blank=True)
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # Makes automatic entries idempotent: a hook that runs twice writes one entry (unique per incident).
    dedup_key = models.CharField(max_length=150, blank=True)
    is_automatic = models.BooleanField(_("automatic"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("written by"))

    class Meta:
        verbose_name = _("chronology entry")
        verbose_name_plural = _("chronology entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["incident", "-at"], name="hq_chrono_incident_at")]
        constraints = [
            models.UniqueConstraint(fields=["incident", "dedup_key"], condition=~models.Q(dedup_key=""),
                                    name="hq_chrono_dedup"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.content[:40]}"


class ChronologyAnnotation(models.Model):
    """A note added to an entry later (a correction, a confirmation, a follow-up). Also append-only."""

    entry = models.ForeignKey(ChronologyEntry, on_delete=models.PROTECT, related_name="annotations")
    text = models.TextField(_("annotation"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:40]
