"""The portal's own data: the disaster-mode switch, privacy-preserving page-view counts and the satisfaction
survey. No table here holds an IP address, a User-Agent or a cookie identifier (docs/portal-kpi.md)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import Municipality

PATH_GROUPS = ("home", "shelters", "alerts", "lifelines", "notices", "posts", "tourist", "other")
SURVEY_COMMENT_MAX = 500
MODE_MESSAGE_MAX = 500


class SiteMode(models.Model):
    """Whether the public site of a municipality is in disaster mode, and the message it then leads with."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="site_mode")
    disaster_mode = models.BooleanField(_("disaster mode"), default=False)
    message = models.TextField(_("message (Japanese)"), max_length=MODE_MESSAGE_MAX, blank=True)
    message_en = models.TextField(_("message (English)"), max_length=MODE_MESSAGE_MAX, blank=True)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))

    class Meta:
        verbose_name = _("site mode")
        verbose_name_plural = _("site modes")

    def __str__(self):
        return f"{self.municipality_id}: {'disaster' if self.disaster_mode else 'normal'}"

    def message_for(self, language_code: str) -> str:
        """The English message for readers of English (and the tourist languages) when there is one."""
        if language_code and not language_code.startswith("ja") and self.message_en:
            return self.message_en
        return self.message


class DailySalt(models.Model):
    """The random salt of one day's visitor keys. Deleted once the day is over (rotate_analytics), after which
    that day's keys can be linked to nothing: not to a person, not to another day."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self):
        return str(self.day)


class PageViewCount(models.Model):
    """Public page views of one day and path group."""

    day = models.DateField()
    path_group = models.CharField(max_length=12, choices=[(g, g) for g in PATH_GROUPS])
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "path_group"], name="pageview_day_group_uniq")]

    def __str__(self):
        return f"{self.day} {self.path_group}: {self.views}"


class VisitorDay(models.Model):
    """One visitor key seen on one day, kept for two days at most, then folded into DailyVisitorCount.

    `visitor_hash` = SHA-256(day's salt + IP address + User-Agent); `first_seen` is rounded down to the hour so it
    cannot be matched against a web server's access log line."""

    day = models.DateField()
    visitor_hash = models.CharField(max_length=64)
    first_seen = models.DateTimeField()
    is_repeat = models.BooleanField(default=False)  # the visitor's browser said it had come on an earlier day

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "visitor_hash"], name="visitorday_day_hash_uniq")]

    def __str__(self):
        return f"{self.day} {self.visitor_hash[:8]}…"


class DailyVisitorCount(models.Model):
    """What is kept of a day's visitor keys once they are deleted: how many, and how many came back."""

    day = models.DateField(unique=True)
    unique_visitors = models.PositiveIntegerField(default=0)
    repeat_visitors = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.unique_visitors} ({self.repeat_visitors} repeat)"


class SurveyAnswer(models.Model):
    """A satisfaction rating (1–5) with an optional plain-text comment. One per visitor key per day: a second
    answer the same day replaces the first. The key is blanked with the day's other keys after two days."""

    day = models.DateField()
    visitor_hash = models.CharField(max_length=64, null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=SURVEY_COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["day", "visitor_hash"], name="survey_day_hash_uniq"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="survey_rating_1_5"),
        ]
        indexes = [models.Index(fields=["day"], name="survey_day_idx")]

    def __str__(self):
        return f"{self.day}: {self.rating}"


class PublicVersion(models.Model):
    """A counter raised on every public change (the same domain events that republish the 軽量版, and disaster
    mode): the cached public pages (toki.portal.page_cache) are keyed on it, so a page rendered before the change
    is never served after it. One row; kept in the database because every web process, on every machine, must see
    the same number, whichever cache (or none) is configured."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"public version {self.number}"
