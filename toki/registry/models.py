"""The register of people who need support to evacuate (災害対策基本法 第49条の10), consent as data (第49条の11
第2項), the organisations it may be shared with, and the access log.

Personal fields are encrypted (fields.py); district, status and consent states stay in clear so that scoping and
sharing decisions need no decryption. Search goes through the *_index columns (crypto.py blind indexes).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from toki.registry.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField

# The encrypted columns of Person, in the order the statute and the municipality list them.
PERSON_FIELDS = (
    "name", "name_kana", "birth_date", "sex", "address", "phone", "support_reason",  # 第49条の10第2項 1–6
    "care_level", "disabilities", "medical_devices", "lives_with", "emergency_contacts", "inclusion_reasons",
)


class Person(models.Model):
    """One person on the register. Every personal item is encrypted."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("On the register")
        LEFT = "left", _("Left the register")

    class Source(models.TextChoices):
        IMPORT = "import", _("The city's systems (import)")
        WEB = "web", _("Self-application on the web (手上げ)")
        PAPER = "paper", _("Self-application on paper (紙)")

    district = models.ForeignKey("areas.District", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    language = models.CharField(_("language"), max_length=10, default="ja")
    # How the person came onto the register: the import, or their own application (models_applications.py).
    source = models.CharField(_("how the person came onto the register"), max_length=10, choices=Source.choices,
                              default=Source.IMPORT)
    # Why and when the person left the register (an approved refresh): moved, died, facility, criteria, absent.
    left_reason = models.CharField(_("why the person left"), max_length=10, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    # Statutory items (第49条の10第2項).
    name = EncryptedTextField(pgettext_lazy("registry person", "name"))  # 氏名, not the 名称 of a place
    name_kana = EncryptedTextField(pgettext_lazy("registry person", "name (kana)"))
    birth_date = EncryptedDateField(_("date of birth"))
    sex = EncryptedTextField(_("sex"), blank=True)
    address = EncryptedTextField(_("address"))
    phone = EncryptedTextField(_("phone or other contact"), blank=True)
    support_reason = EncryptedTextField(_("reason support is needed"), blank=True)
    # The municipality's additions (第7号).
    care_level = EncryptedTextField(_("care level"), blank=True)
    disabilities = EncryptedJSONField(_("disabilities (kind and grade)"), blank=True)
    medical_devices = EncryptedJSONField(_("medical devices that need power"), blank=True)
    lives_with = EncryptedTextField(_("household (alone / with others)"), blank=True)
    emergency_contacts = EncryptedJSONField(_("emergency contacts"), blank=True)
    inclusion_reasons = EncryptedJSONField(_("why the person is on the register"), blank=True)
    # Blind indexes (HMAC, crypto.py): the only way to search.
    source_index = models.CharField(max_length=64, blank=True, db_index=True)
    kana_index = models.CharField(max_length=64, blank=True, db_index=True)
    birth_date_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registered person")
        verbose_name_plural = _("registered people")
        ordering = ["district_id", "id"]

    def __str__(self):
        return f"registry person {self.pk}"  # never the name: this string reaches logs and admin messages

    def refresh_indexes(self) -> None:
        from toki.registry import crypto

        self.kana_index = crypto.kana_index(self.name_kana)
        self.birth_date_index = crypto.birth_date_index(self.birth_date)
        self.phone_index = crypto.phone_index(self.phone)


class RecipientClass(models.TextChoices):
    """避難支援等関係者 (第49条の11第2項)."""

    MINSEI = "minsei", _("Welfare commissioner (民生委員)")
    COMMUNITY = "community", _("Neighbourhood association / voluntary disaster organisation")
    FIRE_CORPS = "fire_corps", _("Volunteer fire corps (消防団)")
    SHAKYO = "shakyo", _("Social welfare council (社協)")
    POLICE = "police", _("Police")
    FIRE = "fire", _("Fire department")
    CARE = "care", _("Care providers")


class Scope(models.TextChoices):
    ROSTER = "roster", _("Register items")
    PLAN = "plan", _("Individual evacuation plan")


class Consent(models.Model):
    """One recorded answer of a person about sharing one scope with one recipient class. Rows are never edited:
    a new answer is a new row, the latest (by recorded_at, id) counts, the rest is the history."""

    class State(models.TextChoices):
        CONSENTED = "consented", _("Consented (同意)")
        DECLINED = "declined", _("Did not consent (不同意)")
        REFUSED = "refused", _("Refusal filed (拒否申出)")
        REFUSAL_WITHDRAWN = "refusal_withdrawn", _("Refusal withdrawn (拒否撤回)")
        NO_ANSWER = "no_answer", _("No answer (未回答)")

    class Method(models.TextChoices):
        MAIL = "mail", _("Mail")
        VISIT = "visit", _("Visit")
        COUNTER = "counter", _("At the counter")
        PROXY = "proxy", _("By proxy")
        ONLINE = "online", _("On the web")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    recipient_class = models.CharField(_("recipient class"), max_length=20, choices=RecipientClass.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    text_version = models.CharField(_("version of the consent text shown"), max_length=40)
    method = models.CharField(_("how it was obtained"), max_length=10, choices=Method.choices)
    obtained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("obtained by"))
    # A proxy (family, care manager) is personal data of someone else: encrypted like the register.
    proxy_name = EncryptedTextField(_("proxy's name"), blank=True)
    proxy_relation = models.CharField(_("proxy's relation"), max_length=20, blank=True)
    proxy_takes_responsibility = models.BooleanField(_("the proxy takes responsibility"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["person_id", "recipient_class", "scope", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["person", "recipient_class", "scope"], name="registry_consent_key")]

    def __str__(self):
        return f"consent {self.pk} ({self.recipient_class}/{self.scope}: {self.state})"


class Recipient(models.Model):
    """An organisation the register may be shared with (an accounts org unit) and the conditions it met."""

    org_unit = models.OneToOneField("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    recipient_class = models.CharField(_("recipient class"), max_length=20, choices=RecipientClass.choices)
    agreement_on = models.DateField(_("agreement (協定) signed on"), null=True, blank=True)
    pledge_on = models.DateField(_("confidentiality pledge (第49条の13) signed on"), null=True, blank=True)
    training_on = models.DateField(_("training done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry recipient")
        verbose_name_plural = _("registry recipients")

    def __str__(self):
        return f"{self.org_unit} ({self.recipient_class})"

    @property
    def is_cleared(self) -> bool:
        return bool(self.agreement_on and self.pledge_on and self.training_on)


class AccessLog(models.Model):
    """Who looked at whom, which fields, why, on what legal basis. Append-only in the database (migration 0002)."""

    class Action(models.TextChoices):
        LIST = "list", _("List")
        VIEW = "view", _("View")
        SEARCH = "search", _("Search")
        EXPORT = "export", _("Export")
        PRINT = "print", _("Print")

    class Basis(models.TextChoices):
        INTERNAL = "49-11-1", _("Internal use (第49条の11第1項)")
        NORMAL = "49-11-2", _("Consent or ordinance (第49条の11第2項)")
        DISASTER = "49-11-3", _("Disaster (第49条の11第3項)")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    fields = models.JSONField(default=list)
    purpose = models.CharField(max_length=40)
    basis = models.CharField(max_length=10, choices=Basis.choices)
    recipient_class = models.CharField(max_length=20, blank=True)
    # Hash chain (tamper evidence): HMAC over the previous row's hash and this row's content (accesslog.py);
    # `manage.py registry_verify_access_log` recomputes it. Rows written before the chain existed have "".
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    entry_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("registry access")
        verbose_name_plural = _("registry accesses")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} person {self.person_id} by {self.actor_id}"


class AccessLogHead(models.Model):
    """The end of the access log's hash chain: one row, locked by each writer so the chain has one order."""

    last_hash = models.CharField(max_length=64, blank=True, default="")
    last_id = models.BigIntegerField(default=0)
    entries = models.BigIntegerField(default=0)

    def __str__(self):
        return f"access log head ({self.entries} entries)"


class Activation(models.Model):
    """A disaster activation (災害対策基本法 第49条の11第3項): while it runs, every cleared recipient whose area lies
    in one of its districts sees everyone on the register there, without consent, each look tagged 49-11-3.
    Declared by HQ with a reason and an expiry; it can be extended or ended early; it is reviewed afterwards."""

    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("declared by"))
    declared_at = models.DateTimeField(_("declared at"))
    districts = models.ManyToManyField("areas.District", related_name="+", verbose_name=_("affected districts"))
    reason = models.TextField(_("why sharing is widened"), max_length=500)
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("ended by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    review_note = models.TextField(_("review"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("disaster activation")
        verbose_name_plural = _("disaster activations")
        ordering = ["-declared_at", "-id"]
        indexes = [models.Index(fields=["ended_at", "expires_at"], name="registry_activation_live")]

    def __str__(self):
        return f"activation {self.pk} ({self.declared_at:%Y-%m-%d %H:%M})"

    def is_live(self, now) -> bool:
        return self.ended_at is None and self.declared_at <= now < self.expires_at

    def closed_at(self):
        """When it stopped (ended early or expired), or None while live."""
        return self.ended_at or self.expires_at


from toki.registry.models_admin import AccessLogCheckpoint, RecoveryCode  # noqa: E402 — in their own file
from toki.registry.models_applications import Application  # noqa: E402 — in their own file
from toki.registry.models_mailings import Mailing, MailingItem  # noqa: E402 — in their own file
from toki.registry.models_mode import ConsentMode  # noqa: E402 — in their own file
from toki.registry.models_refresh import Refresh, RefreshChange  # noqa: E402 — in their own file
from toki.registry.models_safety import (  # noqa: E402 — the 安否 models live in their own file
    LADDER,
    HouseholdLink,
    Safety,
    SafetyAssignment,
    SafetyReport,
    SafetyRound,
    SafetyStatus,
    SafetySyncEvent,
    SafetyTask,
    Source,
    Step,
)

__all__ = [
    "LADDER",
    "PERSON_FIELDS",
    "AccessLog",
    "AccessLogCheckpoint",
    "Activation",
    "Application",
    "Consent",
    "ConsentMode",
    "HouseholdLink",
    "Mailing",
    "MailingItem",
    "Person",
    "Recipient",
    "RecipientClass",
    "RecoveryCode",
    "Refresh",
    "RefreshChange",
    "Safety",
    "SafetyAssignment",
    "SafetyReport",
    "SafetyRound",
    "SafetyStatus",
    "SafetySyncEvent",
    "SafetyTask",
    "Scope",
    "Source",
    "Step",
]


class Export(models.Model):
    """A print or a CSV of one district's list: numbered, for one person only, expiring. Every download is
    counted and every person in it logged (action print/export)."""

    class Kind(models.TextChoices):
        PRINT = "print", _("Print")
        CSV = "csv", _("CSV")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    district = models.ForeignKey("areas.District", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    downloads = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"export {self.pk} ({self.kind})"


from toki.registry.models_plans import (  # noqa: E402, F401 — the 個別避難計画 models live in their own file
    HazardLayer,
    Plan,
    PlanVersion,
    Supporter,
    SupporterConsent,
)
