"""Household tablets (docs/community.md): households and their members and devices, the 自治会 and 班 they belong
to, the items they read (広報さど, 回覧板, event notices) with receipts and attendance, safety replies, the daily
watch-over and the help desk's notes. No I/O here (DESIGN.md rule 5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.accounts.models import OrgUnit
from toki.areas.models import District, Municipality


class Jichikai(models.Model):
    """A 自治会 (neighbourhood association). Its leaders are the members of `org_unit` (kind 'community')."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    org_unit = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="jichikai")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="jichikai_unique_name")]

    def __str__(self):
        return self.name


class Han(models.Model):
    """A 班 within a 自治会."""

    jichikai = models.ForeignKey(Jichikai, on_delete=models.CASCADE, related_name="hans")
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["jichikai", "name"]
        constraints = [models.UniqueConstraint(fields=["jichikai", "name"], name="han_unique_name")]

    def __str__(self):
        return f"{self.jichikai} {self.name}"


class Household(models.Model):
    """One household; one tablet at home (and family phones). `label` is how staff and the tablet name it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    jichikai = models.ForeignKey(Jichikai, on_delete=models.PROTECT, null=True, blank=True, related_name="households")
    han = models.ForeignKey(Han, on_delete=models.PROTECT, null=True, blank=True, related_name="households")
    label = models.CharField(_("household"), max_length=100)
    watch_over = models.BooleanField(_("daily watch-over"), default=False)
    watch_hours = models.PositiveSmallIntegerField(_("hours without a sign before a message"), default=24)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)  # a page opened or a tap, not a poll
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district__sort_order", "label", "pk"]

    def __str__(self):
        return self.label


class Member(models.Model):
    """A person of the household: a resident, or family living elsewhere (`is_family`)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=100)
    is_family = models.BooleanField(_("family living elsewhere"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["is_family", "pk"]

    def __str__(self):
        return self.name


class EnrolmentCode(models.Model):
    """A one-time QR: the tablet of the household (`member` None) or a family member's phone. Only the SHA-256 of
    the secret is kept; the secret is shown once, in the QR."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="enrolment_codes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"enrolment code {self.pk} of household {self.household_id}"


class Device(models.Model):
    """An enrolled tablet or phone. Its cookie holds a secret whose SHA-256 is `token_sha256`."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="devices")
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="devices")
    token_sha256 = models.CharField(max_length=64, unique=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    app_version = models.CharField(max_length=40, blank=True)
    battery = models.PositiveSmallIntegerField(null=True, blank=True)  # percent, where the browser tells it
    push_endpoint = models.URLField(max_length=1000, blank=True)
    signed_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["household", "pk"]
        indexes = [models.Index(fields=["last_seen_at"], name="community_device_seen_idx")]

    def __str__(self):
        return f"device {self.pk} of household {self.household_id}"

    @property
    def is_family(self) -> bool:
        return self.member is not None and self.member.is_family


class Item(models.Model):
    """Something to read: an issue of 広報さど (city-wide), a 回覧板 (a 自治会, or one 班), an event notice."""

    class Kind(models.TextChoices):
        NEWSLETTER = "newsletter", _("City newsletter")
        CIRCULAR = "circular", _("Circular")
        EVENT = "event", _("Event notice")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    jichikai = models.ForeignKey(Jichikai, on_delete=models.PROTECT, null=True, blank=True, related_name="items")
    han = models.ForeignKey(Han, on_delete=models.PROTECT, null=True, blank=True, related_name="items")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    event_at = models.DateTimeField(_("event date and time"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "-published_at"], name="community_item_recent_idx")]

    def __str__(self):
        return self.title


class Attachment(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="community/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.name


class Receipt(models.Model):
    """「見ました」: the household has seen the item (once per household; who tapped is kept)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="receipts")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="receipts")
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "household"], name="receipt_once_per_household")]

    def __str__(self):
        return f"item {self.item_id} seen by household {self.household_id}"


class Attendance(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("I will attend")
        NO = "no", _("I will not attend")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attendances")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=3, choices=Answer.choices)
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "household"], name="attendance_once_per_household")]

    def __str__(self):
        return f"item {self.item_id}: household {self.household_id} {self.answer}"


class SafetyReply(models.Model):
    """「無事です」 / 「助けが必要」 for an alert in force (`alert_key`: "order:<id>" or "alert:<id>")."""

    class Status(models.TextChoices):
        SAFE = "safe", _("Safe")
        NEEDS_HELP = "help", _("Needs help")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="safety_replies")
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_family = models.BooleanField(_("answered by family"), default=False)
    status = models.CharField(_("answer"), max_length=4, choices=Status.choices)
    alert_key = models.CharField(max_length=40, blank=True)
    replied_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-replied_at", "-pk"]

    def __str__(self):
        return f"household {self.household_id}: {self.status}"


class ActiveDay(models.Model):
    """A local day on which the household used Toki on a device (the KPI counts active households)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "day"], name="active_day_unique")]
        indexes = [models.Index(fields=["day"], name="community_active_day_idx")]

    def __str__(self):
        return f"household {self.household_id} on {self.day}"


class WellnessTap(models.Model):
    """The morning 「元気です」."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="taps")
    at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"household {self.household_id} at {self.at}"


class WatchFlag(models.Model):
    """A household with no sign for its watch-over time: first a message on the tablet, then on the 民生委員's
    call list; kept as history once resolved."""

    class Stage(models.TextChoices):
        MESSAGE = "message", _("Message shown on the tablet")
        CALL = "call", _("On the call list")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="watch_flags")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    raised_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["household"], condition=models.Q(resolved_at=None),
                                               name="one_open_watch_flag")]

    def __str__(self):
        return f"household {self.household_id}: {self.stage}"


class HelpNote(models.Model):
    """A help-desk note about a household ("called: the volume was off")."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="help_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"note {self.pk} on household {self.household_id}"
