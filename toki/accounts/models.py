"""Users, the organisation they act for, their roles, the audit trail and login throttling."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff or partner account. Residents never need one: they use LINE, the portal or a tablet."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username


class OrgUnit(models.Model):
    """An organisation or team a user acts for."""

    class Kind(models.TextChoices):
        HQ = "hq", _("Disaster headquarters")
        DEPARTMENT = "department", _("Department")
        BRANCH_OFFICE = "branch_office", _("Branch office")
        SHELTER_TEAM = "shelter_team", _("Shelter team")
        COMMUNITY = "community", _("Community organisation")
        WELFARE = "welfare", _("Welfare")
        AGENCY = "agency", _("External agency")
        PARTNER = "partner", _("Private partner")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    district = models.ForeignKey(
        "areas.District", on_delete=models.PROTECT, null=True, blank=True, related_name="org_units"
    )

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    """What a member may do within an org unit. Ordered from most to least powerful."""

    ADMIN = "admin", _("Administrator")
    EDITOR = "editor", _("Editor")
    REPORTER = "reporter", _("Reporter")
    VIEWER = "viewer", _("Viewer")


ROLE_RANK = {Role.ADMIN: 4, Role.EDITOR: 3, Role.REPORTER: 2, Role.VIEWER: 1}


class Membership(models.Model):
    """A user's role in an org unit, optionally limited to one district."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    district = models.ForeignKey(
        "areas.District", on_delete=models.PROTECT, null=True, blank=True, related_name="memberships",
        help_text=_("Leave empty for the whole municipality."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "org_unit", "district"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user", "org_unit"], condition=models.Q(district__isnull=True),
                name="membership_unique_whole_area",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.org_unit} ({self.get_role_display()})"

    def allows(self, minimum_role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum_role]


class AuditEvent(models.Model):
    """Append-only record of a state change. The database refuses UPDATE and DELETE (see migration 0002).

    `changes` holds identifiers and field names with non-personal values only; personal data is never
    written here in clear (DESIGN.md rule 12).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class LoginThrottle(models.Model):
    """Failed logins of one normalised username (known or not, so throttling reveals nothing) from one client.

    `client` is a keyed hash of the client address or of a known-device cookie (toki/accounts/login_throttle.py);
    the row with `client = "*"` counts the account's failures from every unknown client together."""

    ACCOUNT = "*"

    username = models.CharField(max_length=150)
    client = models.CharField(max_length=80, default=ACCOUNT)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    # On the account-wide row: when the owner was last told that someone is failing to log in as them.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "client"], name="login_throttle_unique")]

    def __str__(self):
        return f"{self.username}: {self.failures} failure(s)"


class RateCounter(models.Model):
    """A fixed-window counter for a rate limit (`toki.accounts.ratelimit`): `scope` names the limit, `key` is a
    keyed hash of what is counted (a client address, a device), never the value itself."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="rate_counter_unique")]
        indexes = [models.Index(fields=["window_started_at"], name="rate_counter_window_idx")]

    def __str__(self):
        return f"{self.scope}: {self.count}"
