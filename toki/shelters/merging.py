"""Merging rows of one physical site into one Shelter (issue 14, item 2): used once by migration 0005 for what
was imported before sites existed, and by `manage.py merge_shelter_sites` for a pair the migration had to leave.

Safe by construction: the kept row is the site's primary listing (the 指定避難所); openings, shelter teams and
pre-registrations move to it; a pair whose rows both have a live opening for the same incident is left alone
(two live openings of one site for one incident cannot be one row: staff close one first)."""

from django.db import transaction

from toki.shelters import sites


def _models(apps):
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    return (apps.get_model("shelters", name) for name in
            ("Shelter", "ShelterDesignation", "ShelterOpening", "ShelterTeam", "Household"))


def ensure_designations(apps=None) -> int:
    """A ShelterDesignation for every Shelter that has none, holding what its row was imported with."""
    Shelter, Designation, *_rest = _models(apps)
    made = 0
    for shelter in Shelter.objects.filter(designations__isnull=True).order_by("pk"):
        listed = sites.listing_format(shelter.source, shelter.is_emergency_site)
        values = {field: getattr(shelter, field) for field in (*sites.PLACE_FIELDS, *sites.LISTED_FIELDS[listed])}
        Designation.objects.create(shelter=shelter, common_id=shelter.common_id, kind=sites.kind_of_format(listed),
                                   values=values)
        made += 1
    return made


def site_groups(apps=None) -> list[list]:
    """Shelters that are one site, per municipality, each group primary first (only groups of two or more)."""
    Shelter, Designation, *_rest = _models(apps)
    shelters = {s.pk: s for s in Shelter.objects.all()}
    listings: dict[int, list[sites.Listing]] = {}
    for designation in Designation.objects.order_by("common_id"):
        listing = sites.Listing.of(designation.common_id, designation.kind, designation.values)
        listings.setdefault(designation.shelter_id, []).append(listing)
    groups: list[tuple[int, list[int], list[sites.Listing]]] = []
    ordered = sorted(listings, key=lambda pk: (
        all(listing.kind != sites.DESIGNATED_SHELTER for listing in listings[pk]), shelters[pk].common_id))
    for pk in ordered:
        own = listings[pk]
        home = next((g for g in groups if g[0] == shelters[pk].municipality_id
                     and all(sites.may_join(listing, g[2]) for listing in own)), None)
        if home is None:
            groups.append((shelters[pk].municipality_id, [pk], list(own)))
        else:
            home[1].append(pk)
            home[2].extend(own)
    return [[shelters[pk] for pk in members] for _m, members, _l in groups if len(members) > 1]


def merge_all_sites(apps=None) -> list[str]:
    """Make designations, then merge every group of rows that is one site. Returns lines for the operator."""
    made = ensure_designations(apps)
    lines, merged, left = [], 0, 0
    for group in site_groups(apps):
        problem = merge_site(group[0], group[1:], apps)
        if problem:
            left += 1
            lines.append(problem)
        else:
            merged += len(group) - 1
    if made or merged or left:
        lines.insert(0, f"shelter sites: {made} listings recorded, {merged} duplicate rows merged, "
                        f"{left} left as they are")
    return lines


def merge_site(keep, others, apps=None) -> str:
    """Merge `others` into `keep` (one transaction). Returns "" or why the site was left as it is."""
    Shelter, Designation, Opening, Team, Household = _models(apps)
    with transaction.atomic():
        ids = [keep.pk, *(o.pk for o in others)]
        live = list(Opening.objects.filter(shelter_id__in=ids).exclude(status="closed")
                    .values_list("incident_id", flat=True))
        if len(live) != len(set(live)):
            return (f"{keep.name} ({', '.join(str(pk) for pk in ids)}): not merged, two of its rows have a live "
                    "opening for the same incident; close one and run manage.py merge_shelter_sites")
        keep = Shelter.objects.select_for_update().get(pk=keep.pk)
        for other in others:
            Opening.objects.filter(shelter_id=other.pk).update(shelter_id=keep.pk)
            for team in Team.objects.filter(shelter_id=other.pk):
                if Team.objects.filter(org_unit_id=team.org_unit_id, shelter_id=keep.pk).exists():
                    team.delete()
                else:
                    Team.objects.filter(pk=team.pk).update(shelter_id=keep.pk)
            Household.objects.filter(planned_shelter_id=other.pk).update(planned_shelter_id=keep.pk)
            Designation.objects.filter(shelter_id=other.pk).update(shelter_id=keep.pk)
            for field in sites.DETAIL_FIELDS:  # what HQ entered on either row is kept
                if getattr(keep, field) in ("", None) and getattr(other, field) not in ("", None):
                    setattr(keep, field, getattr(other, field))
            Shelter.objects.filter(pk=other.pk).delete()
        listed = [(d.common_id, d.kind, d.values) for d in Designation.objects.filter(shelter_id=keep.pk)]
        for field, value in sites.site_values(listed).items():
            setattr(keep, field, value)
        keep.save()
        if apps is None:  # a live run (the command), not the migration: audited and announced like any change
            from toki.accounts import audit
            from toki.shelters import events

            audit.record(actor=None, action="shelters.sites.merge", obj=keep,
                         changes={"merged": [o.pk for o in others], "listings": [c for c, _k, _v in listed]})
            events.master_changed(keep.municipality_id)
    return ""
