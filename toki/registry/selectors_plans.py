"""Permission-scoped reads of 個別避難計画: who may make a plan, who sees one (and with which basis), the coverage
figures per district and the supporters' map. Every read that returns a plan writes an access-log row.

The rules (docs/registry.md, "個別避難計画"):
- A plan may be made only when the person's answer for the plan scope allows it under the municipality's mode
  for at least one recipient class (第49条の14: with the person's consent; an ordinance may lift it).
- Registry officers see every plan (internal use, 第49条の11第1項).
- A cleared recipient sees a plan of a person in its area when the person's plan-scope consent allows its class
  (第49条の15 mirrors 第49条の11第2項) and the plan may go out: either every named supporter has consented (PPC FAQ
  Q7-22) or the recipient's class writes plans (民生委員, 自治会, 社協, care) and so takes part in making it. A live
  disaster activation of the person's district widens it to every cleared recipient there (第3項).
- Supporters who have not consented are shown only to officers and to those who write the plan.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from toki.registry import accesslog, modes, selectors
from toki.registry.consent import sharing_allowed
from toki.registry.models import AccessLog, Consent, Person, RecipientClass, Scope
from toki.registry.models_plans import PLAN_FIELDS, HazardLayer, Plan, Supporter, SupporterConsent
from toki.registry.permissions import STATUTORY, grants_of, is_registry_officer, may_write_plans

# The register's items a plan carries (第49条の14: the 名簿 items 1–6), as far as the viewer's class may see them.
PLAN_PERSON_FIELDS = STATUTORY
PLAN_LOG_FIELDS = tuple(f"plan.{name}" for name in (*PLAN_FIELDS, "supporters"))
MAP_LOG_FIELDS = ("name", "plan.home_point", "plan.route", "plan.destination")


# Consent for the plan scope ---------------------------------------------------------------------------------

def plan_consented(person_ids, today: date | None = None) -> set[int]:
    """The people for whom a plan may be made: for at least one recipient class, their latest plan-scope answer
    (or its absence) allows sharing under that class's mode. One query."""
    today = today or timezone.localdate()
    person_ids = list(person_ids)
    latest: dict[tuple[int, str], Consent] = {}
    for consent in (Consent.objects.filter(person_id__in=person_ids, scope=Scope.PLAN).defer("proxy_name")
                    .order_by("person_id", "recipient_class", "-recorded_at", "-id")):
        latest.setdefault((consent.person_id, consent.recipient_class), consent)
    class_modes = {klass: modes.consent_mode_for(klass, today) for klass in RecipientClass.values}
    return {pid for pid in person_ids
            if any(sharing_allowed(mode, latest.get((pid, klass)), today) for klass, mode in class_modes.items())}


def latest_supporter_consents(supporter_ids) -> dict[int, SupporterConsent]:
    latest: dict[int, SupporterConsent] = {}
    for answer in SupporterConsent.objects.filter(supporter_id__in=list(supporter_ids)).order_by(
            "supporter_id", "-recorded_at", "-id"):
        latest.setdefault(answer.supporter_id, answer)
    return latest


def complete_plan_people(person_ids) -> set[int]:
    """People whose plan names at least one supporter and every supporter's latest answer is 同意. Two queries,
    nothing decrypted."""
    rows = list(Supporter.objects.filter(plan__person_id__in=list(person_ids), removed_at__isnull=True)
                .values_list("id", "plan__person_id"))
    latest = latest_supporter_consents([sid for sid, _ in rows])
    people: dict[int, bool] = {}
    for sid, pid in rows:
        answer = latest.get(sid)
        people[pid] = people.get(pid, True) and answer is not None and answer.state == Consent.State.CONSENTED
    return {pid for pid, complete in people.items() if complete}


# Who may write, who sees ------------------------------------------------------------------------------------

def _writer_districts(user) -> set[int | None]:
    """The areas where `user` writes plans as a recipient (None: the whole municipality)."""
    return {grant.district_id for grant in grants_of(user)
            if grant.recipient_class is not None and may_write_plans(grant)}


def may_write_plan(user, person: Person, today: date | None = None) -> bool:
    """Make or change the plan of `person`: officers, and members of writing classes in the person's area whose
    class the person's plan-scope answer allows (normal times; an activation widens reading, not writing)."""
    today = today or timezone.localdate()
    if person.status != Person.Status.ACTIVE or person.pk not in plan_consented([person.pk], today):
        return False
    for grant in grants_of(user):
        if not may_write_plans(grant):
            continue
        if grant.recipient_class is None:
            return True
        if grant.district_id not in (None, person.district_id):
            continue
        latest = selectors.latest_consents([person.pk], grant.recipient_class, Scope.PLAN).get(person.pk)
        if sharing_allowed(modes.consent_mode_for(grant.recipient_class, today), latest, today):
            return True
    return False


def _plan_visible(user, candidates: list[tuple[int, int]], today: date) -> dict:
    """As selectors._visible, for the plan scope: which people's plans `user` may see, the fields of the person,
    the grant and the basis."""
    ids = [pid for pid, _ in candidates]
    writers = _writer_districts(user)
    shareable = complete_plan_people(ids) | {pid for pid, did in candidates if None in writers or did in writers}
    return selectors._visible(user, candidates, today, scope=Scope.PLAN, shareable=shareable)


def _sees_pending_supporters(user, district_id: int) -> bool:
    return is_registry_officer(user) or bool({None, district_id} & _writer_districts(user))


@dataclass
class SupporterView:
    supporter: Supporter
    consent: SupporterConsent | None
    form: object = None  # the page's form for recording this supporter's answer (writers only)

    @property
    def consented(self) -> bool:
        return self.consent is not None and self.consent.state == Consent.State.CONSENTED


@dataclass
class PlanView:
    plan: Plan
    person: dict
    supporters: list[SupporterView]
    complete: bool
    basis: str
    may_edit: bool
    versions: list = field(default_factory=list)


def read_plan(user, pk: int, *, purpose: str, action: str = AccessLog.Action.VIEW) -> PlanView | None:
    """One plan with the person's items `user` may see, logged (who, whom, which items, why, basis); None when
    `user` may not see it (the caller answers 404)."""
    if purpose not in selectors.PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r} (one of {', '.join(selectors.PURPOSES)})")
    plan = (Plan.objects.select_related("person", "destination_shelter", "created_by", "updated_by")
            .filter(pk=pk, person__status=Person.Status.ACTIVE).first())
    if plan is None:
        return None
    person = plan.person
    today = timezone.localdate()
    visible = _plan_visible(user, [(person.pk, person.district_id)], today).get(person.pk)
    if visible is None:
        return None
    fields, grant, basis = visible
    shown = tuple(name for name in PLAN_PERSON_FIELDS if name in fields)
    values = dict(zip(shown, Person.objects.filter(pk=person.pk).values_list(*shown).get(), strict=True)
                  ) if shown else {}
    supporters = list(plan.supporters.filter(removed_at__isnull=True).select_related("added_by"))
    latest = latest_supporter_consents([s.pk for s in supporters])
    views = [SupporterView(s, latest.get(s.pk)) for s in supporters]
    complete = bool(views) and all(view.consented for view in views)
    if not _sees_pending_supporters(user, person.district_id):
        views = [view for view in views if view.consented]
    accesslog.record(user, [accesslog.Look(person.pk, (*shown, *PLAN_LOG_FIELDS), basis,
                                           grant.recipient_class or "")], action=action, purpose=purpose)
    return PlanView(plan, values, views, complete, basis, may_write_plan(user, person, today),
                    list(plan.versions.select_related("saved_by").defer("content")))


def plan_of(person_id: int) -> Plan | None:
    """The plan of a person, by id only (nothing decrypted): for the writer's pages after may_write_plan."""
    return Plan.objects.filter(person_id=person_id).defer(*PLAN_FIELDS).first()


def person_for_planning(user, person_id: int) -> Person | None:
    """The person whose plan `user` may make or change, or None (404)."""
    person = Person.objects.filter(pk=person_id).only("id", "district_id", "status").first()
    if person is None or not may_write_plan(user, person):
        return None
    return person


def district_planning(user, district_id: int, *, purpose: str) -> list[dict]:
    """The people of a district `user` may see (their names, logged as a list by selectors), with whether each has
    a plan, may have one, and whether its supporters all consented."""
    people = selectors._read(user, selectors._active(Person.objects.filter(district_id=district_id)),
                             action=AccessLog.Action.LIST, purpose=purpose, only=("name", "name_kana"))
    ids = [view.id for view in people]
    plans = dict(Plan.objects.filter(person_id__in=ids).values_list("person_id", "id"))
    consented, complete = plan_consented(ids), complete_plan_people(ids)
    return [{"id": view.id, "name": view.values.get("name", ""), "kana": view.values.get("name_kana", ""),
             "plan_id": plans.get(view.id), "consented": view.id in consented, "complete": view.id in complete}
            for view in people]


# Coverage -----------------------------------------------------------------------------------------------------

@dataclass
class Coverage:
    district: object
    people: int = 0
    consented: int = 0
    plans: int = 0
    complete: int = 0
    overdue: int = 0


def coverage(districts, today: date | None = None) -> list[Coverage]:
    """Per district: people on the register, with a plan-scope answer that allows a plan, with a plan, with a plan
    whose supporters all consented, and plans overdue for review. Counts only (nothing decrypted or logged)."""
    today = today or timezone.localdate()
    rows = {district.pk: Coverage(district) for district in districts}
    people = list(Person.objects.filter(district_id__in=list(rows), status=Person.Status.ACTIVE)
                  .values_list("id", "district_id"))
    district_of = dict(people)
    consented, complete = plan_consented(district_of, today), complete_plan_people(district_of)
    for pid, district_id in people:
        row = rows[district_id]
        row.people += 1
        row.consented += pid in consented
        row.complete += pid in complete
    for pid, review_due in Plan.objects.filter(person_id__in=list(district_of)).values_list("person_id",
                                                                                           "review_due"):
        row = rows[district_of[pid]]
        row.plans += 1
        row.overdue += review_due < today
    return list(rows.values())


def total(rows: list[Coverage]) -> Coverage:
    whole = Coverage(None)
    for row in rows:
        for name in ("people", "consented", "plans", "complete", "overdue"):
            setattr(whole, name, getattr(whole, name) + getattr(row, name))
    return whole


# The supporters' map ----------------------------------------------------------------------------------------

def _point(value) -> list[float] | None:
    return [float(value[0]), float(value[1])] if isinstance(value, list) and len(value) == 2 else None


def map_plans(user, municipality, *, purpose: str) -> list[dict]:
    """The plans `user` may see in their area, as what a map draws: the person's name (if their class sees it),
    home, route and destination. Every person placed on the map is logged (their position is personal data)."""
    if purpose not in selectors.PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r} (one of {', '.join(selectors.PURPOSES)})")
    areas = {grant.district_id for grant in grants_of(user)}
    people = Person.objects.filter(district__municipality=municipality, status=Person.Status.ACTIVE,
                                   plan__isnull=False)
    if None not in areas:
        people = people.filter(district_id__in=[area for area in areas if area is not None])
    visible = _plan_visible(user, list(people.values_list("id", "district_id")), timezone.localdate())
    if not visible:
        return []
    names = dict(Person.objects.filter(pk__in=[pid for pid, (fields, _, _) in visible.items() if "name" in fields])
                 .values_list("id", "name"))
    plans = (Plan.objects.filter(person_id__in=list(visible)).select_related("destination_shelter")
             .only("id", "person_id", "home_point", "route", "destination_point", "destination_other",
                   "destination_shelter__name", "destination_shelter__lat", "destination_shelter__lon")
             .order_by("person_id"))
    drawn, looks = [], []
    for plan in plans:
        shelter = plan.destination_shelter
        destination = ({"name": shelter.name, "point": [shelter.lat, shelter.lon]} if shelter is not None
                       else {"name": plan.destination_other, "point": _point(plan.destination_point)})
        drawn.append({"plan": plan.pk, "name": names.get(plan.person_id, ""), "home": _point(plan.home_point),
                      "route": [p for p in (_point(v) for v in plan.route or []) if p], "destination": destination})
        fields, grant, basis = visible[plan.person_id]
        looks.append(accesslog.Look(plan.person_id, tuple(f for f in MAP_LOG_FIELDS if f != "name" or
                                                          "name" in fields), basis, grant.recipient_class or ""))
    accesslog.record(user, looks, action=AccessLog.Action.LIST, purpose=purpose)
    return drawn


def hazard_layers(municipality) -> list[dict]:
    """The municipality's hazard layers as GeoJSON FeatureCollections (public data)."""
    return [{"name": layer.name, "hazard": layer.hazard, "demo": layer.is_demo, "source": layer.source,
             "geojson": {"type": "FeatureCollection", "features": layer.features}}
            for layer in HazardLayer.objects.filter(municipality=municipality)]
