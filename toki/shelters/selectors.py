"""Reads of the shelter master. The master (names, places, designations) is public data."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from toki.areas.models import Municipality
from toki.lib.geo import haversine_km
from toki.shelters.models import (
    CARE_NEEDS,
    DuplicateCandidate,
    Household,
    Member,
    OpeningStatus,
    Registration,
    Shelter,
    ShelterOpening,
    SupplyRequest,
)
from toki.shelters.models.master import directions_url
from toki.shelters.permissions import is_hq_reader, team_shelter_ids

# A district's boundary polygon is large; lists of shelters need only its name, so it is not loaded with them.
_DISTRICT_GEOMETRY = ("district__boundary",)


def public_shelters(municipality: Municipality) -> QuerySet[Shelter]:
    """Every shelter of the municipality, by district order then name, with its district loaded."""
    return (Shelter.objects.filter(municipality=municipality).select_related("district")
            .defer(*_DISTRICT_GEOMETRY).order_by("district__sort_order", "name", "common_id"))


@dataclass(frozen=True)
class NearbyShelter:
    shelter: Shelter
    distance_km: float


def nearest_shelters(lat: float, lon: float, limit: int = 5, *, municipality: Municipality | None = None,
                     emergency_sites_only: bool = False) -> list[NearbyShelter]:
    """The `limit` shelters nearest to the point as the crow flies (haversine), nearest first.

    One query; distances are computed in Python, which is fast for a municipality's few hundred places.
    `emergency_sites_only` keeps the 指定緊急避難場所 (where to go *now*).
    """
    shelters = Shelter.objects.select_related("district").defer(*_DISTRICT_GEOMETRY)
    if municipality is not None:
        shelters = shelters.filter(municipality=municipality)
    if emergency_sites_only:
        shelters = shelters.filter(is_emergency_site=True)
    ranked = sorted(
        (NearbyShelter(s, haversine_km(lat, lon, s.lat, s.lon)) for s in shelters),
        key=lambda n: (n.distance_km, n.shelter.common_id),
    )
    return ranked[:max(0, limit)]


def shelter_points(municipality: Municipality) -> list[dict]:
    """What a map needs of every site, as plain dicts (no model objects: the home page draws all of them), with
    `hazards`, the codes of the hazards it is designated for."""
    from toki.shelters.models import HAZARDS

    fields = [field for field, _column in HAZARDS]
    points = list(
        Shelter.objects.filter(municipality=municipality)
        .order_by("common_id")
        .values("id", "name", "translations", "lat", "lon", "is_designated_shelter", "is_emergency_site",
                "district_id", *fields)
    )
    for point in points:
        point["hazards"] = [field.removeprefix("hazard_") for field in fields if point.pop(field)]
    return points


# --- Openings (issue 7) ---------------------------------------------------------------------------------------

TOKYO = ZoneInfo("Asia/Tokyo")
# Night presence (docs/shelter-ops.md "Counts"): 18:00–06:00 local time; day: 06:00–18:00.
NIGHT_STARTS, NIGHT_ENDS = time(18, 0), time(6, 0)
RECENTLY_CLOSED = timedelta(hours=24)


def openings_for(user) -> QuerySet[ShelterOpening]:
    """Openings `user` may read: all for HQ members, their shelters' for shelter teams, none otherwise."""
    openings = ShelterOpening.objects.select_related("shelter", "incident")
    if is_hq_reader(user):
        return openings
    mine = team_shelter_ids(user, "viewer")
    return openings.filter(shelter_id__in=mine) if mine else ShelterOpening.objects.none()


def working_openings_for(user) -> QuerySet[ShelterOpening]:
    """Live openings and those closed within 24 h: what the tablet and the staff pages list."""
    since = timezone.now() - RECENTLY_CLOSED
    return openings_for(user).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since)).order_by(
        "shelter__name", "-opened_at")


def get_opening_for_user(user, pk, *, manage: bool = False) -> ShelterOpening:
    """One opening `user` may read (or manage); anything else is a 404."""
    from toki.shelters.permissions import may_manage_shelter

    try:
        opening = openings_for(user).get(pk=pk)
    except (ShelterOpening.DoesNotExist, ValueError, TypeError):
        raise Http404("no such opening") from None
    if manage and not may_manage_shelter(user, opening.shelter_id):
        raise Http404("no such opening")
    return opening


def get_opening_to_manage(user, pk) -> ShelterOpening:
    """One opening `user` may manage (check people in and out), with its shelter; anything else is a 404. The same
    answer as get_opening_for_user(manage=True) in one lean query (the check-in API's hot path)."""
    from toki.shelters.permissions import is_hq_manager, team_shelter_ids

    openings = ShelterOpening.objects.select_related("shelter")
    if not is_hq_manager(user):
        openings = openings.filter(shelter_id__in=team_shelter_ids(user))
    try:
        return openings.get(pk=pk)
    except (ShelterOpening.DoesNotExist, ValueError, TypeError):
        raise Http404("no such opening") from None


def shelters_user_may_open(user) -> QuerySet[Shelter]:
    from toki.shelters.permissions import is_hq_manager

    sites = Shelter.objects.select_related("district").defer(*_DISTRICT_GEOMETRY).order_by(
        "district__sort_order", "name", "pk")
    if is_hq_manager(user):
        return sites
    return sites.filter(pk__in=team_shelter_ids(user))


@dataclass(frozen=True)
class OpenShelter:
    opening_id: int
    shelter_id: int
    name: str
    lat: float
    lon: float
    district_id: int | None
    capacity: int | None
    status: str
    crowding: str
    people_in: int
    households_in: int
    opened_at: datetime
    confirmed_at: datetime
    is_drill: bool
    incident_id: int
    address: str = ""
    translations: dict = field(default_factory=dict)  # the municipality's own names (toki.lib.readings)
    hazards: tuple[str, ...] = ()  # the hazard codes the site is designated for (toki.shelters.hazards)

    @property
    def directions_url(self) -> str:
        return directions_url(self.lat, self.lon)


def _open_shelter(o: ShelterOpening) -> OpenShelter:
    s = o.shelter
    return OpenShelter(o.pk, s.pk, s.name, s.lat, s.lon, s.district_id, s.capacity, o.status, o.crowding,
                       o.people_in, o.households_in, o.opened_at, o.confirmed_at, o.incident.is_drill, o.incident_id,
                       s.address, s.translations, s.hazard_codes())


def open_shelters_with_occupancy(municipality, incident=None) -> list[OpenShelter]:
    """Every live opening (開設 or 満員) of the municipality's active incidents (or of `incident`), with occupancy.
    For the HQ board (drills included and flagged). One query."""
    openings = (ShelterOpening.objects.filter(shelter__municipality=municipality).exclude(status=OpeningStatus.CLOSED)
                .select_related("shelter", "incident").order_by("shelter__name", "pk"))
    if incident is not None:
        openings = openings.filter(incident=incident)
    else:
        openings = openings.filter(incident__ended_at__isnull=True)
    return [_open_shelter(o) for o in openings]


def public_open_shelters(municipality) -> list[OpenShelter]:
    """What the public sees: live openings of active, real (not drill) incidents. No personal data."""
    return [o for o in open_shelters_with_occupancy(municipality) if not o.is_drill]


@dataclass(frozen=True)
class NearbyOpenShelter:
    shelter: OpenShelter
    distance_km: float


def nearest_open_shelters(lat: float, lon: float, n: int = 3, *, municipality: Municipality | None = None
                          ) -> list[NearbyOpenShelter]:
    """The `n` nearest OPEN shelters (public: drills excluded), 開設 before 満員, then by distance. For LINE and the
    portal. One query."""
    if municipality is None:
        from toki.areas.selectors import default_municipality

        municipality = default_municipality()
        if municipality is None:
            return []
    ranked = sorted((NearbyOpenShelter(o, haversine_km(lat, lon, o.lat, o.lon))
                     for o in public_open_shelters(municipality)),
                    key=lambda x: (x.shelter.status == OpeningStatus.FULL or x.shelter.crowding == "full",
                                   x.distance_km, x.shelter.opening_id))
    return ranked[:max(0, n)]


# --- Who is here --------------------------------------------------------------------------------------------

def roster(opening: ShelterOpening) -> list[Registration]:
    """The printable roster: every registration of the opening, with member and household, by kana."""
    return list(Registration.objects.filter(opening=opening).select_related("member", "household")
                .order_by("state", "member__kana_key", "member_id"))


@dataclass(frozen=True)
class OpeningCounts:
    people_in: int
    households_in: int
    planned: int
    checked_out: int
    transferred: int
    care: dict  # code → count among people checked in
    by_day: list  # [(date, day_count, night_count)]


def opening_counts(opening: ShelterOpening, *, now: datetime | None = None) -> OpeningCounts:
    """Counts of one opening (two queries). Day/night: a person counts for a day (06:00–18:00) or a night
    (18:00–06:00 next morning, Asia/Tokyo) if present at any moment of it."""
    now = now or timezone.now()
    rows = list(Registration.objects.filter(opening=opening).values_list(
        "state", "household_id", "checked_in_at", "checked_out_at", "member__care_needs"))
    states = dict.fromkeys(Registration.State.values, 0)
    care = dict.fromkeys(CARE_NEEDS, 0)
    households = set()
    for state, household_id, _in, _out, needs in rows:
        states[state] += 1
        if state == Registration.State.CHECKED_IN:
            households.add(household_id)
            for code in needs or ():
                if code in care:
                    care[code] += 1
    by_day = []
    start = timezone.localtime(opening.opened_at, TOKYO).date()
    end = timezone.localtime(opening.closed_at or now, TOKYO).date()
    day = start
    while day <= end and len(by_day) < 60:
        day_from = datetime.combine(day, NIGHT_ENDS, TOKYO)
        night_from = datetime.combine(day, NIGHT_STARTS, TOKYO)
        night_to = datetime.combine(day + timedelta(days=1), NIGHT_ENDS, TOKYO)
        by_day.append((day, _present(rows, day_from, night_from, now), _present(rows, night_from, night_to, now)))
        day += timedelta(days=1)
    return OpeningCounts(states[Registration.State.CHECKED_IN], len(households), states[Registration.State.PLANNED],
                         states[Registration.State.CHECKED_OUT], states[Registration.State.TRANSFERRED], care,
                         by_day)


def _present(rows, start: datetime, end: datetime, now: datetime) -> int:
    if start > now:
        return 0
    count = 0
    for state, _h, checked_in, checked_out, _n in rows:
        if checked_in is None:
            continue
        left = checked_out if state != Registration.State.CHECKED_IN else None
        if checked_in < end and (left is None or left > start):
            count += 1
    return count


def belongs_to_opening(opening: ShelterOpening) -> Q:
    """A Household condition: it belongs to this opening — registered here (by this opening's desk or tablet),
    pre-registered for its shelter, or with a registration here (checked in, out, or transferred here). The scope
    of every sync handler that names a household by id (docs/shelter-ops-sync.md §3); a QR or card check-in is not
    limited by it, because the holder is present."""
    return (Q(registered_opening=opening) | Q(planned_shelter_id=opening.shelter_id)
            | Exists(Registration.objects.filter(household=OuterRef("pk"), opening=opening)))


def expected_households(opening: ShelterOpening) -> QuerySet[Household]:
    """Pre-registered households that chose this shelter and are not registered at this opening yet."""
    return (Household.objects.filter(planned_shelter=opening.shelter, merged_into__isnull=True)
            .exclude(registrations__opening=opening))


def roster_snapshot(opening: ShelterOpening, since: datetime | None = None) -> list[Household]:
    """Households for the tablet's offline roster (docs/shelter-ops-sync.md §2), members and this opening's
    registrations prefetched. Three queries."""
    from django.db.models import Prefetch

    households = Household.objects.filter(
        Q(registrations__opening=opening) | Q(planned_shelter=opening.shelter)).distinct()
    if since is not None:
        households = households.filter(updated_at__gte=since)
    else:
        households = households.filter(merged_into__isnull=True)
    return list(households.order_by("created_at", "id").prefetch_related(
        Prefetch("members", queryset=Member.objects.filter(merged_into__isnull=True).order_by("created_at", "id")),
        Prefetch("registrations", queryset=Registration.objects.filter(opening=opening), to_attr="here")))


# --- People search (staff) and the public 安否 search ----------------------------------------------------------

def search_people(user, *, kana: str = "", name: str = "", birth_date=None, limit: int = 50) -> list[Registration]:
    """Staff search across shelters by exact kana or name key (and birth date if given): registrations with the
    shelter. Empty for anyone who may not search. The caller records the read (audit)."""
    from toki.shelters.matching import kana_key, name_key
    from toki.shelters.permissions import may_search_people

    if not may_search_people(user) or not (kana or name):
        return []
    members = Member.objects.filter(merged_into__isnull=True)
    if kana:
        members = members.filter(kana_key=kana_key(kana))
    if name:
        members = members.filter(name_key=name_key(name))
    if birth_date:
        members = members.filter(birth_date=birth_date)
    return list(Registration.objects.filter(member__in=members).select_related(
        "member", "opening__shelter", "opening__incident").order_by("-state_at")[:limit])


def safety_search(municipality, *, name: str, birth_date) -> list[str]:
    """Public 安否: shelter names where a person with EXACTLY this name (kana or kanji) and birth date is checked
    in (or was, now transferred/out: not answered), only if the household consented to disclosure. Drills never.
    Returns [] when nothing may be said — the page cannot tell "not here" from "did not consent"."""
    from toki.shelters.matching import kana_key, name_key

    key_kana, key_name = kana_key(name), name_key(name)
    if not (key_kana or key_name) or birth_date is None:
        return []
    regs = (Registration.objects.filter(
        Q(member__kana_key=key_kana) | Q(member__name_key=key_name), member__birth_date=birth_date,
        member__merged_into__isnull=True, state=Registration.State.CHECKED_IN,
        household__disclosure=Household.Disclosure.YES, household__municipality=municipality,
        opening__incident__is_drill=False).exclude(opening__status=OpeningStatus.CLOSED)
        .select_related("opening__shelter"))
    return sorted({r.opening.shelter.name for r in regs})


def duplicate_candidates_for(user) -> QuerySet[DuplicateCandidate]:
    from toki.shelters.permissions import is_hq_manager

    candidates = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).select_related(
        "keep__household", "other__household")
    if is_hq_manager(user):
        return candidates
    mine = team_shelter_ids(user)
    if not mine:
        return DuplicateCandidate.objects.none()
    return candidates.filter(Q(keep__registrations__opening__shelter_id__in=mine)
                             | Q(other__registrations__opening__shelter_id__in=mine)).distinct()


def record_shelters(household_ids) -> dict:
    """Shelter ids each household is registered at (any state, any opening) or pre-registered for. Two queries."""
    shelters = {household_id: set() for household_id in household_ids}
    for household_id, shelter_id in Registration.objects.filter(household_id__in=shelters).values_list(
            "household_id", "opening__shelter_id").distinct():
        shelters[household_id].add(shelter_id)
    for household_id, planned in Household.objects.filter(pk__in=shelters, planned_shelter__isnull=False).values_list(
            "pk", "planned_shelter_id"):
        shelters[household_id].add(planned)
    return shelters


@dataclass(frozen=True)
class DuplicateReview:
    """One pair on the duplicates page as `user` may see it (security issue 13, findings 4 and 5)."""

    candidate: DuplicateCandidate
    keep_visible: bool
    other_visible: bool
    may_merge: bool
    merged_disclosure: str  # what a merge keeps: the most restrictive of the two answers

    @property
    def records(self) -> list:
        """(member, visible) for the template: the record to keep first."""
        return [(self.candidate.keep, self.keep_visible), (self.candidate.other, self.other_visible)]

    @property
    def merged_disclosure_label(self) -> str:
        return Household.Disclosure(self.merged_disclosure).label


def duplicate_reviews_for(user, limit: int = 100) -> list[DuplicateReview]:
    """The open candidates `user` may resolve, each saying which of its two records `user` may see (a record of
    another shelter stays hidden from a team) and whether `user` may merge them (across shelters: HQ only)."""
    from toki.shelters.models import most_restrictive_disclosure
    from toki.shelters.permissions import may_merge_records, may_see_record

    candidates = list(duplicate_candidates_for(user)[:limit])
    shelters = record_shelters({m.household_id for c in candidates for m in (c.keep, c.other)})
    reviews = []
    for c in candidates:
        keep, other = shelters[c.keep.household_id], shelters[c.other.household_id]
        reviews.append(DuplicateReview(
            c, may_see_record(user, keep), may_see_record(user, other), may_merge_records(user, keep, other),
            most_restrictive_disclosure(c.keep.household.disclosure, c.other.household.disclosure)))
    return reviews


def supply_requests_for(user) -> QuerySet[SupplyRequest]:
    """HQ sees all requests; a shelter team those of its shelters."""
    requests = SupplyRequest.objects.select_related("opening__shelter", "opening__incident").prefetch_related("items")
    if is_hq_reader(user):
        return requests
    mine = team_shelter_ids(user, "viewer")
    return requests.filter(opening__shelter_id__in=mine) if mine else SupplyRequest.objects.none()


def incidents_to_open_for(municipality):
    """Incidents not yet ended (drills too), newest first: what a shelter may be opened for. Read through the
    opening's own incident key, so the shelters app names no other app's module (the HQ app reads shelters for its
    board, not the other way round)."""
    incident_model = ShelterOpening._meta.get_field("incident").related_model
    return incident_model.objects.filter(municipality=municipality, ended_at__isnull=True)


# --- Reads of the staff and public pages that name one object (views_staff, views_hq, api, the portal) --------
# A read that takes an opening takes one the caller got from get_opening_for_user/get_opening_to_manage.

def households_checked_in(opening: ShelterOpening) -> list[dict]:
    """Households with someone checked in at the opening, their members here, by kana (one query)."""
    grouped: dict = {}
    for reg in (Registration.objects.filter(opening=opening, state=Registration.State.CHECKED_IN)
                .select_related("member").order_by("member__kana_key", "member_id")):
        grouped.setdefault(reg.household_id, []).append(reg)
    return [{"id": household_id, "registrations": regs} for household_id, regs in grouped.items()]


def recent_supply_requests(opening: ShelterOpening, limit: int = 20) -> list[SupplyRequest]:
    """The opening's newest supply requests with their items (the opening page)."""
    return list(opening.supply_requests.prefetch_related("items")[:limit])


def get_household_for_user(user, opening: ShelterOpening, household_id) -> Household:
    """A household with a registration at this opening, for those who may see its 避難者カード
    (permissions.may_see_household: the one rule of who sees an address); anything else is a 404."""
    from toki.shelters.permissions import may_see_household

    if not may_see_household(user, opening):
        raise Http404("no such household")
    try:
        return Household.objects.filter(registrations__opening=opening).distinct().get(pk=household_id)
    except (Household.DoesNotExist, ValueError, ValidationError):
        raise Http404("no such household") from None


def current_members(household: Household) -> list[Member]:
    """A household's members, without those merged into another record."""
    return list(household.members.filter(merged_into__isnull=True))


def get_shelter_to_edit(user, shelter_id) -> Shelter:
    """One shelter whose master details `user` may edit (HQ editors/admins); anything else is a 404."""
    from toki.shelters.permissions import may_edit_shelter_master

    if not may_edit_shelter_master(user):
        raise Http404("no such shelter")
    try:
        return Shelter.objects.get(pk=shelter_id)
    except (Shelter.DoesNotExist, ValueError, TypeError):
        raise Http404("no such shelter") from None


def live_openings_board(user, municipality: Municipality) -> QuerySet[ShelterOpening]:
    """Every live opening of the municipality's active incidents, for those who see every opening (HQ); none for
    anyone else."""
    from toki.shelters.permissions import may_see_every_opening

    if not may_see_every_opening(user):
        return ShelterOpening.objects.none()
    return (openings_for(user).filter(shelter__municipality=municipality, incident__ended_at__isnull=True)
            .exclude(status=OpeningStatus.CLOSED).order_by("shelter__name", "pk"))


def designated_shelters(municipality: Municipality) -> QuerySet[Shelter]:
    """The 指定避難所 a resident may plan to go to (public: the pre-registration form)."""
    return Shelter.objects.filter(municipality=municipality, is_designated_shelter=True).order_by("name")


def own_household(household_id) -> Household | None:
    """The household a resident pre-registered from this browser (its id kept only in their session), unless it
    was merged into another record. Public: the session is the permission."""
    if not household_id:
        return None
    try:
        return Household.objects.filter(pk=household_id, merged_into__isnull=True).first()
    except ValidationError:
        return None


def shelters_by_id(ids) -> dict[int, Shelter]:
    """Shelters of the master by id, with their district (public data)."""
    return Shelter.objects.select_related("district").in_bulk(list(ids))
# --- Sites near a point, ranked for the hazards in force (issue 14, items 2 and 3) --------------------------------

@dataclass(frozen=True)
class NearbySite:
    """A place near a point, as every "where do I go" surface shows it (portal finder, LINE location reply, the
    order card): the site, how far, whether it is designated for the hazards asked about, and its live public
    opening (None when it is not open now)."""

    site: Shelter
    distance_km: float
    hazards: tuple[str, ...]  # the hazard codes asked about (toki.shelters.hazards)
    not_designated_for: tuple[str, ...]  # those of them the site is NOT designated for
    opening: OpenShelter | None = None

    @property
    def is_open(self) -> bool:
        return self.opening is not None

    @property
    def is_full(self) -> bool:
        return self.opening is not None and (self.opening.status == OpeningStatus.FULL
                                             or self.opening.crowding == "full")

    @property
    def designated_for_hazard(self) -> bool:
        """Designated for every hazard asked about (True when none was asked)."""
        return not self.not_designated_for

    def not_designated_labels(self) -> list[str]:
        from toki.shelters.hazards import hazard_label

        return [hazard_label(code) for code in self.not_designated_for]


def _site_rank(place: NearbySite) -> tuple:
    # Designated for the hazard first: a site not designated for a landslide may be on the slope that slides.
    # Then open before not open (people can stay there), full last among the open, then distance.
    return (not place.designated_for_hazard, not place.is_open, place.is_full, place.distance_km, place.site.pk)


def nearest_sites(point: tuple[float, float], hazards=(), open_only: bool = False, limit: int = 3, *,
                  municipality: Municipality | None = None) -> list[NearbySite]:
    """The `limit` best places for someone at `point` (lat, lon) to go to, given the hazards in force:
    designated for every one of `hazards` first, then open now (public openings: drills never) before not open,
    full ones after the others, then nearest (as the crow flies). Each place says which of `hazards` it is not
    designated for, so a surface can warn. `open_only` keeps the places open now. Two queries."""
    from toki.shelters.hazards import hazard_field

    if municipality is None:
        from toki.areas.selectors import default_municipality

        municipality = default_municipality()
        if municipality is None:
            return []
    lat, lon = point
    hazards = tuple(dict.fromkeys(hazards))
    openings = {}
    for opening in public_open_shelters(municipality):
        openings.setdefault(opening.shelter_id, opening)
    sites = public_shelters(municipality).order_by()
    if open_only:
        sites = sites.filter(pk__in=list(openings))
    places = [
        NearbySite(site, haversine_km(lat, lon, site.lat, site.lon), hazards,
                   tuple(code for code in hazards if not getattr(site, hazard_field(code))), openings.get(site.pk))
        for site in sites
    ]
    return sorted(places, key=_site_rank)[:max(0, limit)]


def hazards_in_force(municipality: Municipality, district=None) -> tuple[str, ...]:
    """The hazard codes (toki.shelters.hazards) of what is in force now, for the public: the evacuation orders of
    `district` (every district when None; drills never), highest level first, then the warnings in force for the
    municipality (警報 and above; 注意報 and 予報 name no hazard). An order of 「その他」 counts by the hazards its
    reason names. Two queries."""
    from toki.alerts.selectors import orders_in_force, public_warnings_in_force
    from toki.shelters.hazards import hazards_of_order, hazards_of_warning

    orders = orders_in_force(municipality)
    if district is not None:
        orders = orders.filter(district=district)
    found: list[str] = []
    for order in orders:
        found.extend(hazards_of_order(order.hazard, order.reason))
    for state in public_warnings_in_force(municipality):
        found.extend(hazards_of_warning(state.kind_name))
    return tuple(dict.fromkeys(found))


def hazards_in_force_at(point: tuple[float, float], municipality: Municipality | None = None) -> tuple[str, ...]:
    """hazards_in_force for the district containing `point` (the municipality's when the point is in none)."""
    from toki.areas.selectors import default_municipality, district_for

    municipality = municipality or default_municipality()
    if municipality is None:
        return ()
    district = district_for(*point, municipality)
    if district is None:
        return hazards_in_force(municipality)
    return hazards_in_force(municipality, district)


def arrivals_for_matching(registration_ids) -> list:
    """A system read for the registry's 安否 matching (its subscriber to shelters.people_checked_in; the registry
    matches by its own keyed hashes and keeps nothing of this but the ids): each registration still checked in,
    with its opening, shelter, time of arrival and the member's kana name and date of birth. One query."""
    return list(Registration.objects.filter(pk__in=list(registration_ids), state=Registration.State.CHECKED_IN)
                .values("id", "opening_id", "opening__shelter__name", "checked_in_at", "member__name_kana",
                        "member__birth_date"))
