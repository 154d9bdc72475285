"""Evacuees: households and members (the 避難者カード of reference/shelters.md §3), their registration at an
opening, the immutable check-in events (docs/shelter-ops-sync.md) and duplicate candidates.

Personal data lives only in Household and Member. Events, audit rows and task arguments carry ids only.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.shelters.models.master import Shelter
from toki.shelters.models.openings import ShelterOpening

# 要配慮事項 codes (docs/shelter-ops-sync.md §5), with what staff read.
CARE_NEEDS = {
    "pregnant": _("Pregnant or nursing"),
    "infant": _("Infant"),
    "elderly": _("Elderly"),
    "disability": _("Disability"),
    "care_level": _("Needs nursing care"),
    "intractable_disease": _("Intractable disease"),
    "medical_device": _("Medical device"),
    "medication": _("Regular medication"),
    "allergy": _("Food allergy or diet"),
    "foreign_language": _("Needs another language"),
    "injured": _("Injured"),
}


class Household(models.Model):
    """A 世帯 as registered on one 避難者カード. The id may come from a tablet (a client uuid, offline)."""

    class Stay(models.TextChoices):
        SHELTER = "shelter", _("In the shelter")
        HOME = "home", _("At home")
        CAR = "car", _("In a car")
        TENT = "tent", _("In a tent")
        RELATIVES = "relatives", _("With relatives or friends")
        OTHER = "other", _("Elsewhere")

    class HouseDamage(models.TextChoices):
        UNKNOWN = "unknown", _("Not known")
        NONE = "none", _("No damage")
        PARTIAL = "partial", _("Partly damaged")
        HALF = "half", _("Half destroyed")
        MAJOR = "major", _("Largely destroyed")
        TOTAL = "total", _("Totally destroyed")

    class Disclosure(models.TextChoices):
        UNKNOWN = "unknown", _("Not asked")
        YES = "yes", _("May be disclosed")
        NO = "no", _("Must not be disclosed")
        PARTIAL = "partial", _("Only that we are safe")

    class Source(models.TextChoices):
        PRE_REGISTRATION = "pre_registration", _("Pre-registration")
        DESK = "desk", _("Shelter desk")
        TABLET = "tablet", _("Tablet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey("areas.Municipality", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=Source.choices)
    qr_token = models.CharField(max_length=40, unique=True, null=True, blank=True)
    planned_shelter = models.ForeignKey(Shelter, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="planned_households")
    # The opening whose desk or tablet registered the household (register_household): it belongs there even before
    # anyone checks in (the sync handlers' scope, docs/shelter-ops-sync.md §3).
    registered_opening = models.ForeignKey(ShelterOpening, on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="+")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    stay = models.CharField(_("where you stay"), max_length=10, choices=Stay.choices, default=Stay.SHELTER)
    house_damage = models.CharField(_("damage to the house"), max_length=10, choices=HouseDamage.choices,
                                    default=HouseDamage.UNKNOWN)
    disclosure = models.CharField(_("safety information may be disclosed"), max_length=10,
                                  choices=Disclosure.choices, default=Disclosure.UNKNOWN)
    pets = models.CharField(_("pets (kind and number)"), max_length=200, blank=True)
    car_sleeping = models.BooleanField(_("sleeping in a car"), default=False)
    car_plate = models.CharField(_("car number plate"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):  # never a name: str() ends up in logs and admin messages
        return f"household {self.pk}"

    @property
    def qr_payload(self) -> str:
        return f"TOKI-SHELTER:1:{self.qr_token}" if self.qr_token else ""


# 安否情報の開示, from the most open answer to the most restrictive: a merge of two records keeps the later in this
# order (docs/shelter-ops.md, "Duplicates"), so no second record can loosen what a person answered.
DISCLOSURE_STRICTNESS = (Household.Disclosure.YES, Household.Disclosure.UNKNOWN, Household.Disclosure.PARTIAL,
                         Household.Disclosure.NO)


def most_restrictive_disclosure(*answers: str) -> str:
    return max(answers, key=lambda answer: DISCLOSURE_STRICTNESS.index(answer)
               if answer in DISCLOSURE_STRICTNESS else len(DISCLOSURE_STRICTNESS))


class Member(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Not given")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=100, blank=True)
    name_kana = models.CharField(_("name (kana)"), max_length=100, blank=True)
    # Normalised for matching (full-width katakana / kanji without spaces): toki.shelters.matching.
    name_key = models.CharField(max_length=100, blank=True, db_index=True)
    kana_key = models.CharField(max_length=100, blank=True, db_index=True)
    relation = models.CharField(_("relation"), max_length=40, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    care_needs = models.JSONField(_("care needs"), default=list, blank=True)
    allergies = models.CharField(_("allergies"), max_length=200, blank=True)
    care_notes = models.TextField(_("care notes (medication, devices, language)"), blank=True)
    # A transport IC card id linked at first tap, stored only as a keyed hash (toki.shelters.card_readers).
    card_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["kana_key", "birth_date"], name="member_kana_birth")]

    def __str__(self):
        return f"member {self.pk}"


class Registration(models.Model):
    """A member's current state at one opening; its history is the CheckinEvents."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Expected")
        CHECKED_IN = "checked_in", _("Checked in")
        CHECKED_OUT = "checked_out", _("Checked out")
        TRANSFERRED = "transferred", _("Transferred")

    class Destination(models.TextChoices):
        HOME = "home", _("Home")
        RELATIVES = "relatives", _("Relatives or friends")
        OTHER_SHELTER = "other_shelter", _("Another shelter")
        HOSPITAL = "hospital", _("Hospital or care facility")
        TEMPORARY_HOUSING = "temporary_housing", _("Temporary housing")
        OTHER = "other", _("Other")

    opening = models.ForeignKey(ShelterOpening, on_delete=models.CASCADE, related_name="registrations")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="registrations")
    state = models.CharField(max_length=12, choices=State.choices)
    state_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    destination = models.CharField(max_length=20, choices=Destination.choices, blank=True)
    destination_note = models.CharField(max_length=200, blank=True)
    transfer_opening = models.ForeignKey(ShelterOpening, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["opening", "member"], name="registration_unique")]
        indexes = [models.Index(fields=["opening", "state"], name="registration_opening_state")]

    def __str__(self):
        return f"registration {self.pk} ({self.state})"


class CheckinEvent(models.Model):
    """One event of the sync contract, stored once (unique event_id) and never changed. No personal data."""

    class Type(models.TextChoices):
        CHECK_IN = "check_in", _("Check-in")
        CHECK_OUT = "check_out", _("Check-out")
        REGISTER_HOUSEHOLD = "register_household", _("Household registered")
        UPDATE_HOUSEHOLD = "update_household", _("Household updated")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    event_id = models.UUIDField(unique=True)
    opening = models.ForeignKey(ShelterOpening, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=Type.choices)
    device_id = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(null=True)
    received_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.CharField(max_length=80, blank=True)
    household_id = models.UUIDField(null=True)
    member_ids = models.JSONField(default=list)
    # Non-personal facts: how the household was found (qr/card/id), warnings, destination code, fields changed.
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["opening", "occurred_at"], name="event_opening_time")]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class DuplicateCandidate(models.Model):
    """Two member records that may be the same person, for staff to merge or dismiss (never merged silently)."""

    class Reason(models.TextChoices):
        KANA_BIRTH = "kana_birth", _("Same name (kana) and date of birth")
        CARD = "card", _("Same card")
        QR = "qr", _("Same QR code")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not the same person")

    keep = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["keep", "other"], name="duplicate_pair_unique")]
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"duplicate candidate {self.pk}"
