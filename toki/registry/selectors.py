"""Permission-scoped reads of the register. Every read that returns personal data writes AccessLog rows (who,
whom, which fields, why, legal basis) in the same call: there is no unlogged path to a decrypted person.

Decryption happens only for the people and fields a user may see (`.only()` leaves every other encrypted column
unread); search narrows by blind index first.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from toki.registry import conf, crypto
from toki.registry.consent import latest_consents, sharing_allowed
from toki.registry.models import AccessLog, Person, Scope
from toki.registry.permissions import Grant, grants_of

# Why someone looks (logged with every access). A code, never free text: free text could carry personal data.
PURPOSES = ("support_planning", "consent_followup", "drill", "disaster_response", "register_upkeep")


@dataclass
class PersonView:
    id: int
    district_id: int
    values: dict = field(default_factory=dict)  # only the fields the viewer may see


def may_recipient_class_see(person: Person, recipient_class: str, scope: str = Scope.ROSTER,
                            today: date | None = None) -> bool:
    """May this recipient class see this person now, in normal times (第49条の11第2項)?"""
    today = today or timezone.localdate()
    consent = latest_consents([person.pk], recipient_class, scope).get(person.pk)
    return person.status == Person.Status.ACTIVE and sharing_allowed(
        conf.consent_mode_for(recipient_class), consent, today)


def _visible(user, candidates: list[tuple[int, int]], today: date) -> dict[int, tuple[set[str], Grant]]:
    """For (person id, district id) candidates: the fields `user` may see of each, and the grant that allows it
    (an officer's grant wins: its basis is internal use)."""
    visible: dict[int, tuple[set[str], Grant]] = {}
    for grant in grants_of(user):
        in_area = [pid for pid, district_id in candidates if grant.district_id in (None, district_id)]
        if grant.recipient_class is not None:
            mode = conf.consent_mode_for(grant.recipient_class)
            latest = latest_consents(in_area, grant.recipient_class, Scope.ROSTER)
            in_area = [pid for pid in in_area if sharing_allowed(mode, latest.get(pid), today)]
        for pid in in_area:
            fields, first = visible.get(pid, (set(), grant))
            fields.update(grant.fields)
            visible[pid] = (fields, first if first.recipient_class is None else grant)
    return visible


def _read(user, people_ids_districts: list[tuple[int, int]], *, action: str, purpose: str) -> list[PersonView]:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r} (one of {', '.join(PURPOSES)})")
    today = timezone.localdate()
    visible = _visible(user, people_ids_districts, today)
    if not visible:
        return []
    all_fields = sorted(set().union(*(fields for fields, _ in visible.values())))
    people = Person.objects.filter(pk__in=list(visible)).only("id", "district_id", *all_fields).order_by("id")
    views, logs = [], []
    for person in people:
        fields, grant = visible[person.pk]
        views.append(PersonView(person.pk, person.district_id,
                                {name: getattr(person, name) for name in sorted(fields)}))
        logs.append(AccessLog(
            actor=user, person_id=person.pk, action=action, fields=sorted(fields), purpose=purpose,
            basis=AccessLog.Basis.INTERNAL if grant.recipient_class is None else AccessLog.Basis.NORMAL,
            recipient_class=grant.recipient_class or ""))
    with transaction.atomic():
        AccessLog.objects.bulk_create(logs)
    return views


def _active(queryset) -> list[tuple[int, int]]:
    return list(queryset.filter(status=Person.Status.ACTIVE).values_list("id", "district_id"))


def district_list(user, district_id: int, *, purpose: str) -> list[PersonView]:
    """The people of one district `user` may see now, with only their fields; each one logged."""
    return _read(user, _active(Person.objects.filter(district_id=district_id)), action=AccessLog.Action.LIST,
                 purpose=purpose)


def person_detail(user, person_id: int, *, purpose: str) -> PersonView | None:
    """One person, or None when `user` may not see them (the caller answers 404: no hint that they exist)."""
    views = _read(user, _active(Person.objects.filter(pk=person_id)), action=AccessLog.Action.VIEW,
                  purpose=purpose)
    return views[0] if views else None


def search(user, *, purpose: str, kana: str = "", birth_date: date | None = None, phone: str = ""
           ) -> list[PersonView]:
    """People matching every given key, by blind index only (nothing is decrypted to search); each result
    logged. No key given: nothing (no accidental full listing)."""
    filters = {}
    if kana:
        filters["kana_index"] = crypto.kana_index(kana)
    if birth_date:
        filters["birth_date_index"] = crypto.birth_date_index(birth_date)
    if phone:
        filters["phone_index"] = crypto.phone_index(phone)
    if not filters or not grants_of(user):
        return []
    return _read(user, _active(Person.objects.filter(**filters)), action=AccessLog.Action.SEARCH, purpose=purpose)


def accesses_to(user, person_id: int):
    """The access log of one person, for registry officers only."""
    from toki.registry.permissions import may_keep_register

    if not may_keep_register(user):
        return AccessLog.objects.none()
    return AccessLog.objects.filter(person_id=person_id).order_by("-at", "-id")


def districts_for(user, municipality) -> list:
    """The districts whose list `user` may open (an officer or a municipality-wide recipient: all of them)."""
    from toki.areas.models import District

    grants = grants_of(user)
    districts = District.objects.filter(municipality=municipality).defer("boundary")
    if any(grant.district_id is None for grant in grants):
        return list(districts)
    return list(districts.filter(pk__in={grant.district_id for grant in grants}))
