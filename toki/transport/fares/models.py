"""Fares data (docs/fares.md). A holder is known only by a pseudonym (a keyed hash of the provider's subject):
no name, no 個人番号, no address is stored anywhere here."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Holder(models.Model):
    """One person who proved residency (or was approved as 準住民), known only by a pseudonym."""

    class Basis(models.TextChoices):
        CARD = "card", _("My Number card")
        QUASI = "quasi", _("Quasi-resident approval")

    pseudonym = models.CharField(max_length=64, unique=True)  # hex HMAC-SHA256(iss + sub), TOKI_FARES_PSEUDONYM_KEY
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # what credentials carry
    is_resident = models.BooleanField(default=False)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.CARD)
    verified_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"holder {self.pk}"

    def eligible_at(self, when) -> bool:
        return bool(self.is_resident and self.expires_at and self.expires_at > when)


class UsedNonce(models.Model):
    """Nonces of ID tokens already accepted: an ID token shown twice is refused (replay)."""

    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the nonce
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"nonce {self.digest[:8]}"


class QuasiApplication(models.Model):
    """A 準住民 application: category, evidence, staff review (audited)."""

    class Category(models.TextChoices):
        STUDENT = "student", _("Student whose family lives on Sado")
        TRIAL = "trial", _("Trial resident (さど暮らし体験住宅)")
        INTERN = "intern", _("Intern or university partnership student")
        CARE = "care", _("Care case")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    holder = models.ForeignKey(Holder, on_delete=models.PROTECT, related_name="applications")
    category = models.CharField(max_length=10, choices=Category.choices)
    evidence = models.FileField(upload_to="fares/evidence/%Y/%m/")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    valid_until = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"application {self.pk} ({self.status})"


class Purchase(models.Model):
    """A product bought through a payment provider. `idempotency_key` is sent with every provider call that
    creates something, so a retried request never makes a second charge."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        REFUNDED = "refunded", _("Refunded")
        EXPIRED = "expired", _("Expired")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    holder = models.ForeignKey(Holder, on_delete=models.PROTECT, related_name="purchases")
    product = models.CharField(max_length=20)  # a key of fares.products.PRODUCTS
    amount_yen = models.PositiveIntegerField()
    discounted = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(max_length=20)
    provider_session = models.CharField(max_length=255, blank=True, db_index=True)
    provider_payment = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"purchase {self.pk} {self.product} ({self.status})"


class Credential(models.Model):
    """A signed credential issued (the resident card, or a pass of a purchase). The token itself is not kept:
    it can be issued again; this row is what revocation and the KPIs need."""

    class Kind(models.TextChoices):
        CARD = "card", _("Resident card")
        DAY = "day", _("Day pass")
        SUB30 = "sub30", _("30-day pass")
        SINGLE = "single", _("Single ride")

    jti = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    holder = models.ForeignKey(Holder, on_delete=models.PROTECT, related_name="credentials")
    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="credentials")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    kid = models.CharField(max_length=40)
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.jti}"


class UseEvent(models.Model):
    """One use of a credential recorded by a checker device, immutable, keyed on the device's UUID (the same
    contract as the shelter tablet's check-in events, docs/fares.md "Sync")."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    event_id = models.UUIDField(unique=True)
    device_id = models.CharField(max_length=64)
    jti = models.UUIDField(null=True, blank=True, db_index=True)
    kind = models.CharField(max_length=10, blank=True)
    place = models.CharField(max_length=10, blank=True)  # ferry / bus / rides
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.CharField(max_length=40, blank=True)
    double_use = models.BooleanField(default=False)  # a second use of a single ride

    def __str__(self) -> str:
        return f"use {self.event_id} ({self.status})"


class ProviderEvent(models.Model):
    """A payment provider's event handled once (webhook or the reconciliation sweep), keyed on its id."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="fares_provider_event_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
