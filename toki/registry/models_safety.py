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
    # The rung the periodic escalation made due (0 none, 1 message, 2 call, 3 visit) and when: people not confirmed
    # after TOKI_REGISTRY_LADDER_MINUTES move up one rung (actions_safety.escalate).
    rung_due = models.PositiveSmallIntegerField(default=0, db_default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
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
        """The next rung of the ladder while nobody has answered: the one the escalation made due when it is above
        what was tried, else the one after the last tried ("" once a visit was tried)."""
        if self.rung_due > self.steps_tried:
            return LADDER[self.rung_due - 1]
        return LADDER[self.steps_tried] if self.steps_tried < len(LADDER) else ""

    def is_due(self) -> bool:
        """The escalation made a rung due that nobody has tried yet."""
        return self.rung_due > self.steps_tried


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
    # False: kept in the history but not made the current status (a weaker answer after 要救助/死傷 from someone
    # other than staff, or an offline answer older than the current one: actions_safety.conflict).
    applied = models.BooleanField(default=True, db_default=True)  # bulk.insert_many leaves it out

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


class SafetyAssignment(models.Model):
    """Staff assign a person on the register to a supporter (a member of a cleared recipient: 民生委員, 自治会, …)
    for 安否確認: the supporter's own list (/registry/safety/mine/) shows the people assigned to them that they may
    see now (consent, ordinance or a live activation)."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("supporter"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()

    class Meta:
        verbose_name = _("safety check assignment")
        verbose_name_plural = _("safety check assignments")
        constraints = [models.UniqueConstraint(fields=["person", "supporter"], name="registry_assignment_unique")]

    def __str__(self):
        return f"person {self.person_id} → supporter {self.supporter_id}"


class SafetyTask(models.Model):
    """A rung of the ladder the escalation made due for one person in one round: for the first supporter assigned
    to them (None: the staff desk). One per rung (the constraint keeps two runs of the job from making two)."""

    status = models.ForeignKey(SafetyStatus, on_delete=models.CASCADE, related_name="tasks")
    step = models.CharField(max_length=10, choices=Step.choices)
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["status", "step"], name="registry_safety_task_unique")]

    def __str__(self):
        return f"safety task {self.status_id}/{self.step}"


class SafetySyncEvent(models.Model):
    """One event a supporter's phone sent (offline first), stored once by its device-made UUID: a resend is
    answered `duplicate` with the first outcome (views_safety_sync, docs/registry.md "Supporters offline")."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        HELD = "held", _("kept in the history, status unchanged")
        REJECTED = "rejected", _("rejected")

    event_id = models.UUIDField(unique=True)
    device_id = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    error = models.CharField(max_length=300, blank=True)  # the reason, as answered to the device

    def __str__(self):
        return f"safety sync event {self.event_id} ({self.outcome})"
