"""Households outside the event stream: public pre-registration (事前登録) with its QR token, duplicate
detection and the staff merge, transport-card links, and the audit of staff reads of evacuee data."""

import secrets
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit, ratelimit
from toki.shelters.actions.errors import NotAllowed
from toki.shelters.card_readers import card_hash
from toki.shelters.matching import contains_personal_number, kana_key, name_key
from toki.shelters.models import (
    DuplicateCandidate,
    Household,
    Member,
    Registration,
    Shelter,
    most_restrictive_disclosure,
)
from toki.shelters.permissions import may_merge_records, may_resolve_duplicate, may_search_people


def new_qr_token() -> str:
    return secrets.token_urlsafe(16)


def pre_register(*, municipality, household: dict, members: list[dict], planned_shelter: Shelter | None = None
                 ) -> Household:
    """A resident registers the household before a disaster (no account). Returns it with a fresh QR token.

    `household`/`members` are cleaned form data (toki.shelters.forms). A 12-digit number anywhere is refused."""
    if contains_personal_number(household) or contains_personal_number(members):
        raise ValidationError("a 12-digit number (個人番号) is never accepted", code="personal_number")
    if not members or not any(m.get("name_kana") for m in members):
        raise ValidationError("at least one member with a name in kana", code="required")
    with transaction.atomic():
        created = Household.objects.create(municipality=municipality, source=Household.Source.PRE_REGISTRATION,
                                           qr_token=new_qr_token(), planned_shelter=planned_shelter, **household)
        rows = []
        for values in members:
            member = Member(household=created, **values)
            member.kana_key, member.name_key = kana_key(member.name_kana), name_key(member.name)
            member.save(force_insert=True)
            rows.append(member)
        detect_duplicates(rows)
        audit.record(actor=None, action="shelters.preregistration.create", obj=created,
                     changes={"members": len(rows), "planned_shelter": planned_shelter.pk if planned_shelter else None})
    return created


def reissue_qr(*, acting_user, household: Household) -> Household:
    """A new token; the old QR stops working. The resident (acting_user None, from their own session) or staff."""
    if acting_user is not None and not may_search_people(acting_user):
        raise NotAllowed("not allowed")
    with transaction.atomic():
        household.qr_token = new_qr_token()
        household.save(update_fields=["qr_token", "updated_at"])
        audit.record(actor=acting_user, action="shelters.household.reissue_qr", obj=household)
    return household


def link_card(member: Member, card_id: str) -> None:
    """Link a transport IC card to a member at the first tap (inside the caller's transaction). A card already
    linked to someone else is not moved: a duplicate candidate is proposed instead."""
    digest = card_hash(card_id)
    holder = Member.objects.filter(card_hash=digest).first()
    if holder is None:
        Member.objects.filter(pk=member.pk).update(card_hash=digest)
        member.card_hash = digest
    elif holder.pk != member.pk:
        _propose(holder, member, DuplicateCandidate.Reason.CARD)


def detect_duplicates(members) -> int:
    """Propose (never merge) every other live member with the same kana key and birth date. Returns how many."""
    proposed = 0
    for member in members:
        if not member.kana_key or member.birth_date is None:
            continue
        twins = (Member.objects.filter(kana_key=member.kana_key, birth_date=member.birth_date,
                                       merged_into__isnull=True).exclude(pk=member.pk))
        for twin in twins:
            proposed += _propose(twin, member, DuplicateCandidate.Reason.KANA_BIRTH)
    return proposed


def _propose(keep: Member, other: Member, reason: str) -> int:
    """Record a candidate pair. The record to keep is that of the person met by staff (a desk or tablet record)
    rather than a pre-registration, which anyone can make in anyone's name; else the older one."""
    keep_pre, other_pre = (m.household.source == Household.Source.PRE_REGISTRATION for m in (keep, other))
    if (keep_pre and not other_pre) or (keep_pre == other_pre and keep.created_at and other.created_at
                                        and other.created_at < keep.created_at):
        keep, other = other, keep
    if DuplicateCandidate.objects.filter(keep__in=[keep, other], other__in=[keep, other]).exists():
        return 0
    DuplicateCandidate.objects.create(keep=keep, other=other, reason=reason)
    return 1


def _record_shelters(candidate: DuplicateCandidate) -> tuple[set, set]:
    """The shelters each record of the pair is registered or planned at (docs/shelter-ops.md, "Duplicates")."""
    from toki.shelters.selectors import record_shelters

    households = dict(Member.objects.filter(pk__in=[candidate.keep_id, candidate.other_id]).values_list(
        "pk", "household_id"))
    shelters = record_shelters(set(households.values()))
    return shelters[households[candidate.keep_id]], shelters[households[candidate.other_id]]


@contextmanager
def _resolving(acting_user, candidate: DuplicateCandidate):
    """A transaction holding the candidate's row lock, for staff who may resolve it, while it is still open (a
    second click or a colleague's decision gets "already resolved")."""
    if not may_resolve_duplicate(acting_user, *_record_shelters(candidate)):
        raise NotAllowed("not allowed")
    with transaction.atomic():
        locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.status != DuplicateCandidate.Status.OPEN:
            raise ValidationError("already resolved", code="resolved")
        yield locked


def _close(candidate: DuplicateCandidate, status: str, acting_user) -> None:
    candidate.status, candidate.resolved_by, candidate.resolved_at = status, acting_user, timezone.now()
    candidate.save(update_fields=["status", "resolved_by", "resolved_at"])


def merge_duplicate(*, acting_user, candidate: DuplicateCandidate) -> Member:
    """Staff confirm two records are one person: `other` is merged into `keep`.

    Blank fields of `keep` are filled from `other`; `other`'s registrations move to `keep` where `keep` has none
    at that opening (else the one with the later state wins); `other` is marked merged (kept for the history).
    A household left with no live member is marked merged into `keep`'s household. `keep`'s household keeps the
    most restrictive of the two answers to disclosure, so no second record (a pre-registration anyone can make in
    anyone's name) can loosen what the person answered (security issue 13, finding 4). A merge of records of two
    shelters, or with a record of no shelter, needs HQ (finding 5): a team cannot pull another shelter's evacuee
    into its opening with a kana name and a birth date."""
    if not may_merge_records(acting_user, *_record_shelters(candidate)):
        raise ValidationError(_("Only the disaster HQ can merge records of two shelters."), code="needs_hq")
    with _resolving(acting_user, candidate) as locked:
        keep, other = Member.objects.get(pk=locked.keep_id), Member.objects.get(pk=locked.other_id)
        filled = []
        for name in ("name", "name_kana", "relation", "birth_date", "allergies", "care_notes"):
            if not getattr(keep, name) and getattr(other, name):
                setattr(keep, name, getattr(other, name))
                filled.append(name)
        if keep.sex == Member.Sex.UNKNOWN and other.sex != Member.Sex.UNKNOWN:
            keep.sex = other.sex
            filled.append("sex")
        keep.care_needs = sorted(set(keep.care_needs) | set(other.care_needs))
        if not keep.card_hash and other.card_hash:
            digest = other.card_hash
            Member.objects.filter(pk=other.pk).update(card_hash=None)
            keep.card_hash = digest
        keep.kana_key, keep.name_key = kana_key(keep.name_kana), name_key(keep.name)
        keep.save()
        keeps = {r.opening_id: r for r in Registration.objects.filter(member=keep)}
        affected_openings = set()
        for reg in Registration.objects.filter(member=other):
            affected_openings.add(reg.opening_id)
            mine = keeps.get(reg.opening_id)
            if mine is None:
                reg.member, reg.household = keep, keep.household
                reg.save(update_fields=["member", "household"])
            elif reg.state_at > mine.state_at:
                for name in ("state", "state_at", "checked_in_at", "checked_out_at", "destination",
                             "destination_note", "transfer_opening"):
                    setattr(mine, name, getattr(reg, name))
                mine.save()
                reg.delete()
            else:
                reg.delete()
        Member.objects.filter(pk=other.pk).update(merged_into=keep, updated_at=timezone.now())
        if not Member.objects.filter(household_id=other.household_id, merged_into__isnull=True).exists():
            Household.objects.filter(pk=other.household_id).update(merged_into=keep.household_id,
                                                                   updated_at=timezone.now())
        answers = Household.objects.filter(pk__in=[keep.household_id, other.household_id]).values_list(
            "disclosure", flat=True)
        disclosure = most_restrictive_disclosure(*answers)
        Household.objects.filter(pk=keep.household_id).update(disclosure=disclosure, updated_at=timezone.now())
        keep.household.disclosure = disclosure
        _close(locked, DuplicateCandidate.Status.MERGED, acting_user)
        DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).filter(
            keep=other).update(status=DuplicateCandidate.Status.DISMISSED, resolved_at=timezone.now())
        audit.record(actor=acting_user, action="shelters.duplicate.merge", obj=locked,
                     changes={"keep": str(keep.pk), "other": str(other.pk), "filled": filled,
                              "disclosure": disclosure})
        if affected_openings:
            from toki.shelters.actions.sync import _recount
            from toki.shelters.models import ShelterOpening

            for opening in ShelterOpening.objects.select_for_update().filter(pk__in=affected_openings):
                _recount(opening)
    return keep


def dismiss_duplicate(*, acting_user, candidate: DuplicateCandidate) -> DuplicateCandidate:
    with _resolving(acting_user, candidate) as locked:
        _close(locked, DuplicateCandidate.Status.DISMISSED, acting_user)
        audit.record(actor=acting_user, action="shelters.duplicate.dismiss", obj=locked)
    return locked


def record_read(*, acting_user, what: str, obj=None, count: int = 0, **extra) -> None:
    """The read audit (docs/privacy.md): every staff view of evacuee data leaves an AuditEvent (ids, counts)."""
    audit.record(actor=acting_user, action=f"shelters.read.{what}", obj=obj, changes={"count": count, **extra})


PRE_REGISTRATION_WINDOW = timedelta(hours=1)
SAFETY_SEARCH_LIMIT = 5  # searches per client …
SAFETY_SEARCH_WINDOW = timedelta(minutes=10)  # … per window


def _preregistration_limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    """Per client address, then for everyone together (settings TOKI_PREREGISTRATIONS_PER_ADDRESS / _PER_HOUR)."""
    return (ratelimit.Limit("shelters.preregistration", settings.TOKI_PREREGISTRATIONS_PER_ADDRESS,
                            PRE_REGISTRATION_WINDOW),
            ratelimit.Limit("shelters.preregistration.global", settings.TOKI_PREREGISTRATIONS_PER_HOUR,
                            PRE_REGISTRATION_WINDOW))


def take_preregistration_slot(client_address: str, *, now=None) -> bool:
    """Count one public pre-registration for this client and in the global budget; False (and nothing counted)
    when either is spent for the hour. Anyone can pre-register anyone, so a flood of made-up people (each a
    duplicate candidate staff must review, or a pre-registration made in a victim's name: security issue 13,
    finding 4) is bounded. Bookkeeping only (accounts.ratelimit, keyed hashes of the address): no audit row."""
    per_client, everyone = _preregistration_limits()
    return ratelimit.take_all((per_client, per_client.key_for(client_address or "")),
                              (everyone, ratelimit.GLOBAL), now=now)


def _safety_search_limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    """Per client, then everyone together (TOKI_SAFETY_SEARCH_GLOBAL_LIMIT: a second layer for a flood from many
    addresses)."""
    return (ratelimit.Limit("shelters.safety_search.client", SAFETY_SEARCH_LIMIT, SAFETY_SEARCH_WINDOW),
            ratelimit.Limit("shelters.safety_search", settings.TOKI_SAFETY_SEARCH_GLOBAL_LIMIT, SAFETY_SEARCH_WINDOW))


def take_safety_search_slot(client_address: str, *, now=None) -> bool:
    """Count one public 安否 search for this client and in everyone's budget; False (nothing counted) when either
    is spent (the page answers 429). Bookkeeping only, like the login throttle: no audit row (docs/shelter-ops.md)."""
    per_client, everyone = _safety_search_limits()
    return ratelimit.take_all((per_client, per_client.key_for(client_address or "")),
                              (everyone, ratelimit.GLOBAL), now=now)


def record_safety_search(*, answered: int) -> None:
    """The public 安否 search discloses where someone is: each search is audited (how many shelters named)."""
    audit.record(actor=None, action="shelters.safety_search", changes={"answered": answered})
