"""Citizen posts (共助): what residents see, reviewed by HQ before anyone else sees it. See docs/posts.md."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District, Municipality

TEXT_MAX_LENGTH = 1000


class Post(models.Model):
    class Category(models.TextChoices):
        ROAD_BLOCKED = "road_blocked", _("Road blocked")
        FLOODING = "flooding", _("Flooding")
        LANDSLIDE = "landslide", _("Landslide")
        BUILDING_DAMAGE = "building_damage", _("Building damage")
        OUTAGE = "outage", _("Power or water outage")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        HIDDEN = "hidden", _("Hidden")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    # The photo as Toki re-encoded it (JPEG, no metadata, at most 1600 px); a random name under MEDIA_ROOT.
    photo = models.FileField(_("photo"), max_length=200, blank=True)
    photo_width = models.PositiveSmallIntegerField(null=True, blank=True)
    photo_height = models.PositiveSmallIntegerField(null=True, blank=True)
    # The stored file's size, for the cap on what pending posts may hold (TOKI_POSTS_PENDING_PHOTO_MB).
    photo_bytes = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("posted at"))
    # HMAC-SHA256 (keyed with SECRET_KEY) of the random token in the poster's device cookie: enough to count
    # a device's posts for the rate limit, useless for finding the person. No IP address is stored.
    device_hash = models.CharField(max_length=64, editable=False)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    # Why a post was rejected or hidden (written by the moderator; not shown to the public).
    moderation_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("citizen post")
        verbose_name_plural = _("citizen posts")
        indexes = [
            models.Index(fields=["municipality", "status", "-created_at"], name="post_status_created"),
            models.Index(fields=["device_hash", "created_at"], name="post_device_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="post_point_complete",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} #{self.pk}"

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None
