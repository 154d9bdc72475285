"""Notices from the city (お知らせ): one Notice, written in Japanese and optionally in the other site languages."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District, Municipality

SOURCE_LANGUAGE = "ja"


class Notice(models.Model):
    class Category(models.TextChoices):
        DISASTER = "disaster", _("Disaster and safety")
        LIFE = "life", _("Daily life")
        HEALTH = "health", _("Health")
        TRANSPORT = "transport", _("Transport")
        # Publicity for the portal itself (the plan's 周知回数 KPI counts these: toki/notices/metrics.py).
        PORTAL = "portal", _("About this site")
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="notices")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    # The districts a notice is about; none means the whole municipality.
    districts = models.ManyToManyField(District, blank=True, related_name="notices", verbose_name=_("districts"))
    is_important = models.BooleanField(_("important"), default=False)
    is_published = models.BooleanField(_("published"), default=False)
    # When the notice was first published (kept when it is withdrawn and published again); None: never.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["municipality", "is_published", "-published_at"],
                                name="notice_public_idx")]

    def __str__(self):
        return f"notice {self.pk}"

    def version_for(self, language: str):
        """The version in `language`, else the Japanese one (None when neither is loaded).

        Uses the prefetched `versions` when they are there, so a list page costs one query for all of them.
        """
        versions = {v.language: v for v in self.versions.all()}
        return versions.get(language) or versions.get(SOURCE_LANGUAGE)


class NoticeVersion(models.Model):
    """The notice in one language. Japanese is required; the body is stored cleaned (see richtext.py)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notice version")
        verbose_name_plural = _("notice versions")
        ordering = ["notice", "language"]
        constraints = [models.UniqueConstraint(fields=["notice", "language"], name="notice_version_language")]

    def __str__(self):
        return f"{self.title} [{self.language}]"


class NoticeRevision(models.Model):
    """Every text a notice's language version was given, in order: append-only in the database (issue 13,
    finding 12), so what the city published can always be shown, even after the version was changed or removed.
    `NoticeVersion` holds the current text; a removed language leaves a revision with `removed` set."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="revisions")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["notice", "language", "pk"]

    def __str__(self):
        return f"{self.title} [{self.language}] #{self.pk}"
