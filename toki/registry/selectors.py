"""Permission-scoped reads of the register. Every read that returns personal data writes AccessLog rows (who,
whom, which fields, why, legal basis) in the same call: there is no unlogged path to a decrypted person.

Decryption happens only for the people and fields a user may see (`.only()` leaves every other encrypted column
unread); search narrows by blind index first.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District
from toki.registry import accesslog, crypto, modes
from toki.registry.consent import latest_consents, sharing_allowed
from toki.registry.models import AccessLog, Activation, Person, Scope
from toki.registry.permissions import Grant, grants_of

# Why someone looks (logged with every access). A code, never free text: free text could carry personal data.
PURPOSES = ("support_planning", "consent_followup", "drill", "disaster_response", "register_upkeep")
PURPOSE_LABELS = {
    "support_planning": _("Planning support"),
    "consent_followup": _("Following up consent"),
    "drill": _("Drill"),
    "disaster_response": _("Disaster response"),
    "register_upkeep": _("Keeping the register"),
}
# When several grants reach a person, the log names the narrowest legal basis that allowed the look.
BASIS_RANK: dict[str, int] = {AccessLog.Basis.INTERNAL: 0, AccessLog.Basis.NORMAL: 1, AccessLog.Basis.DISASTER: 2}


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
        modes.consent_mode_for(recipient_class, today), consent, today)


def live_activations(now=None) -> list[Activation]:
    """The disaster activations running now (第49条の11第3項), with their districts."""
    now = now or timezone.now()
    return list(Activation.objects.filter(ended_at__isnull=True, declared_at__lte=now, expires_at__gt=now)
                .prefetch_related(Prefetch("districts", queryset=District.objects.defer("boundary"))))


def _activated_districts(now) -> set[int]:
    return {district.pk for activation in live_activations(now) for district in activation.districts.all()}


def _visible(user, candidates: list[tuple[int, int]], today: date, *, scope: str = Scope.ROSTER,
             shareable: set[int] | None = None) -> dict[int, tuple[set[str], Grant, str]]:
    """For (person id, district id) candidates: the fields `user` may see of each, the grant that allows it and
    the legal basis. An officer's grant wins (internal use, 第1項); then consent or ordinance (第2項) for `scope`;
    then a live disaster activation of the person's district (第3項), which needs no consent. `shareable`: the
    only people whose data of this scope may go out in normal times at all (a plan whose supporters all
    consented, selectors_plans); None: everyone."""
    visible: dict[int, tuple[set[str], Grant, str]] = {}
    activated: set[int] | None = None
    for grant in grants_of(user):
        in_area = [(pid, district_id) for pid, district_id in candidates if grant.district_id in (None, district_id)]
        if grant.recipient_class is None:
            allowed = {pid: AccessLog.Basis.INTERNAL for pid, _ in in_area}
        else:
            mode = modes.consent_mode_for(grant.recipient_class, today)
            latest = latest_consents([pid for pid, _ in in_area], grant.recipient_class, scope)
            if activated is None:
                activated = _activated_districts(timezone.now())
            allowed = {}
            for pid, district_id in in_area:
                if sharing_allowed(mode, latest.get(pid), today) and (shareable is None or pid in shareable):
                    allowed[pid] = AccessLog.Basis.NORMAL
                elif district_id in activated:
                    allowed[pid] = AccessLog.Basis.DISASTER
        for pid, basis in allowed.items():
            fields, first, first_basis = visible.get(pid, (set(), grant, basis))
            fields.update(grant.fields)
            if first.recipient_class is not None and BASIS_RANK[basis] < BASIS_RANK[first_basis]:
                first, first_basis = grant, basis
            visible[pid] = (fields, first, first_basis)
    return visible


def visible_people(user, candidates: list[tuple[int, int]]) -> set[int]:
    """Which of these (person id, district id) `user` may see now (no data read, nothing logged)."""
    return set(_visible(user, candidates, timezone.localdate()))


def _read(user, people_ids_districts: list[tuple[int, int]], *, action: str, purpose: str,
          only: tuple[str, ...] | None = None) -> list[PersonView]:
    """Decrypt and log. `only`: at most these fields (a page that needs fewer reads and logs fewer)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r} (one of {', '.join(PURPOSES)})")
    today = timezone.localdate()
    visible = _visible(user, people_ids_districts, today)
    if only is not None:
        visible = {pid: (fields & set(only), grant, basis) for pid, (fields, grant, basis) in visible.items()}
    if not visible:
        return []
    all_fields = sorted(set().union(*(fields for fields, _, _ in visible.values())))
    # values_list, not model instances: the same decryption (the fields' converters) without building 500 models.
    rows = Person.objects.filter(pk__in=list(visible)).order_by("id").values_list("id", "district_id", *all_fields)
    views, looks = [], []
    for pid, district_id, *values in rows:
        fields, grant, basis = visible[pid]
        views.append(PersonView(pid, district_id, {name: value for name, value in zip(all_fields, values, strict=True)
                                                   if name in fields}))
        looks.append(accesslog.Look(pid, tuple(sorted(fields)), basis, grant.recipient_class or ""))
    accesslog.record(user, looks, action=action, purpose=purpose)
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
    grants = grants_of(user)
    districts = District.objects.filter(municipality=municipality).defer("boundary")
    if any(grant.district_id is None for grant in grants):
        return list(districts)
    return list(districts.filter(pk__in={grant.district_id for grant in grants}))


def activations_for(user) -> list[Activation]:
    """Every disaster activation, newest first, for those who declare them (others: none)."""
    from toki.registry.permissions import may_declare_activation

    if not may_declare_activation(user):
        return []
    return list(Activation.objects.select_related("declared_by", "ended_by", "reviewed_by")
                .prefetch_related(Prefetch("districts", queryset=District.objects.defer("boundary")))[:200])


def get_activation_for(user, pk: int) -> Activation | None:
    from toki.registry.permissions import may_declare_activation

    if not may_declare_activation(user):
        return None
    return (Activation.objects.select_related("declared_by", "ended_by", "reviewed_by")
            .prefetch_related(Prefetch("districts", queryset=District.objects.defer("boundary")))
            .filter(pk=pk).first())


def looks_under(activation: Activation) -> list:
    """For the review: who looked at how many people under this activation (basis 49-11-3, in its window)."""
    from django.db.models import Count

    return list(AccessLog.objects.filter(basis=AccessLog.Basis.DISASTER, at__gte=activation.declared_at,
                                         at__lte=activation.closed_at())
                .values("actor__username", "recipient_class").annotate(looks=Count("id"),
                                                                        people=Count("person", distinct=True))
                .order_by("actor__username"))


LOG_PAGE = 200


def access_log_page(user, *, person_id: int | None = None, actor: str = "", basis: str = "",
                    before_id: int | None = None) -> dict:
    """One page of the access log for officers (none for anyone else), newest first. Two queries."""
    from toki.registry.models import AccessLogHead
    from toki.registry.permissions import may_keep_register

    if not may_keep_register(user):
        return {"rows": [], "head": None, "older": None, "bases": AccessLog.Basis.choices}
    rows = AccessLog.objects.select_related("actor").order_by("-id")
    if person_id is not None:
        rows = rows.filter(person_id=person_id)
    if actor:
        rows = rows.filter(actor__username=actor)
    if basis in AccessLog.Basis.values:
        rows = rows.filter(basis=basis)
    if before_id is not None:
        rows = rows.filter(id__lt=before_id)
    page = list(rows[:LOG_PAGE + 1])
    older = page[LOG_PAGE - 1].pk if len(page) > LOG_PAGE else None
    return {"rows": page[:LOG_PAGE], "head": AccessLogHead.objects.filter(pk=1).first(), "older": older,
            "bases": AccessLog.Basis.choices}
