"""安否確認: a round per evacuation order (or opened by HQ), one current status per person on the register in its
districts, and the history of every answer and attempt (who, how, from whom). No personal value is stored here:
the person is a foreign key to the encrypted register."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SafetyRound(models.Model):
    municipality = models.ForeignKey("areas.Municipality", on_delete=models.PROTECT, related_name="+")
    districts = models.ManyToManyField("areas.District", related_name="+", verbose_name=_("districts"))
    alert_id = models.PositiveBigIntegerField(_("the order's alert"), null=True, blank=True)  # alerts.Alert, by id
    is_drill = models.BooleanField(_("drill"), default=False)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")  # None: opened by an evacuation order
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("safety round")
        verbose_name_plural = _("safety rounds")
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return f"safety round {self.pk}"


class Safety(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Not yet confirmed (未確認)")
    EVACUATED = "evacuated", _("Evacuated (避難済)")
    SAFE_AT_HOME = "safe_at_home", _("Safe at home (在宅無事)")
    NEEDS_RESCUE = "needs_rescue", _("Needs rescue (要救助)")
    UNREACHABLE = "unreachable", _("Cannot be reached (連絡不能)")
    CASUALTY = "casualty", _("Dead or injured (死傷)")


class Source(models.TextChoices):
    """Who answered, or how it was learnt (the 伊丹 drill: most answers come from relatives)."""

    SHELTER = "shelter", _("Checked in at a shelter")
    PERSON = "person", _("The person")
    RELATIVE = "relative", _("A relative")
    SUPPORTER = "supporter", _("A supporter or neighbour")
    STAFF = "staff", _("City staff")
    TABLET = "tablet", _("The household tablet")


class Step(models.TextChoices):
    """The escalation ladder: message → call → visit (registry-practice.md A.5)."""

    MESSAGE = "message", _("Message")
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit")


LADDER = (Step.MESSAGE, Step.CALL, Step.VISIT)


class SafetyStatus(models.Model):
    """The current answer for one person in one round (the latest SafetyReport)."""

    round = models.ForeignKey(SafetyRound, on_delete=models.CASCADE, related_name="statuses")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    district_id = models.PositiveBigIntegerField()  # the person's district when the round reached them (for counts)
    status = models.CharField(max_length=14, choices=Safety.choices, default=Safety.UNCONFIRMED)
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    relation = models.CharField(_("answered by (relation)"), max_length=40, blank=True)
    steps_tried = models.PositiveSmallIntegerField(default=0)  # how far up the ladder (0..3)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    # A shelter match (by keyed hash): which check-in, and whether staff confirmed it is this person.
    registration_id = models.PositiveBigIntegerField(null=True, blank=True)
    shelter_name = models.CharField(max_length=200, blank=True)
    match_confirmed_at = models.DateTimeField(null=True, blank=True)
    match_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                           blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="registry_safety_unique")]
        indexes = [models.Index(fields=["round", "district_id", "status"], name="registry_safety_counts")]

    def __str__(self):
        return f"safety {self.round_id}/{self.person_id}: {self.status}"

    def next_step(self) -> str:
        """The next rung of the ladder while nobody has answered ("" once a visit was tried)."""
        return LADDER[self.steps_tried] if self.steps_tried < len(LADDER) else ""


class SafetyReport(models.Model):
    """One answer or attempt, never edited."""

    round = models.ForeignKey(SafetyRound, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=14, choices=Safety.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    step = models.CharField(max_length=10, choices=Step.choices, blank=True)
    relation = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    at = models.DateTimeField()
    registration_id = models.PositiveBigIntegerField(null=True, blank=True)
    reply_id = models.PositiveBigIntegerField(null=True, blank=True)  # community.SafetyReply, by id (a tablet)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"safety report {self.pk}"


class HouseholdLink(models.Model):
    """A person on the register lives in a household that has a Toki tablet (community.Household, by id): the
    tablet's 「無事です」/「助けが必要」 answers for them in an open round."""

    person = models.OneToOneField("registry.Person", on_delete=models.CASCADE, related_name="household_link")
    household_id = models.PositiveBigIntegerField(_("tablet household"), db_index=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tablet household link")
        verbose_name_plural = _("tablet household links")

    def __str__(self):
        return f"person {self.person_id} → household {self.household_id}"
