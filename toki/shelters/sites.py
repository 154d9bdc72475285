"""One place per physical site (issue 14, item 2).

Open data lists a place once per designation: GSI publishes 七浦小学校体育館 as 指定避難所 `E1522400001111` and as
指定緊急避難場所 `E1522400001201`. Toki keeps one Shelter per site and one ShelterDesignation per listed row. This
module holds the two rules that make that work, used by the importer and by the migration that merged the rows
imported before (0005): which rows are the same site (`same_site`), and what a site's fields are, given the rows
it was listed under (`site_values`). Plain values only (no models), so a migration can use it.
See docs/shelter-import.md, "One place per site".
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from toki.lib.geo import haversine_km

# What HQ enters about a site by hand (the edit page); kept when two rows of one site are merged.
DETAIL_FIELDS = ("kind", "capacity", "phone", "contact_name", "contact_email", "accessibility_notes", "translations")

DESIGNATED_SHELTER = "designated_shelter"  # 指定避難所
EMERGENCY_SITE = "emergency_site"  # 指定緊急避難場所
# Two rows without the same address are still one site when their points are this close: GSI lists 8 of Sado's 64
# pairs 4–13 m apart (each file was geocoded on its own).
SAME_SITE_WITHIN_KM = 0.05
# GSI 共通ID: E + the municipality code without its check digit + a 5-digit site serial + the designation digit
# (1 指定避難所, 2 指定緊急避難場所) + 2 digits numbering the facilities of the site within that file.
_GSI_ID = re.compile(r"^E(\d{5})(\d{5})([12])(\d{2})$")

# Fields that say where and what the place is: taken from one designation, the 指定避難所 when there is one
# (the building people stay in; its point is the entrance the city surveyed for it).
PLACE_FIELDS = ("name", "address", "lat", "lon", "district_id", "source")
# Yes/no facts: the site has it when any of its designations says so.
FLAG_FIELDS = ("is_designated_shelter", "is_emergency_site", "shares_site_with_other_designation",
               "hazard_flood", "hazard_landslide", "hazard_storm_surge", "hazard_earthquake", "hazard_tsunami",
               "hazard_large_fire", "hazard_inland_flood", "hazard_volcano")


def text_key(text: str) -> str:
    """A name or address as compared: NFKC (full-width letters and digits read as ASCII), no white space at all
    (「アミューズメント佐渡　（佐渡中央文化会館）」 and 「アミューズメント佐渡（佐渡中央文化会館）」 are one name)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


@dataclass(frozen=True)
class Listing:
    """One row of a shelter list as the rule sees it: its ID, its designation and where it says the place is."""

    common_id: str
    kind: str  # DESIGNATED_SHELTER or EMERGENCY_SITE
    name: str
    address: str
    lat: float
    lon: float

    @classmethod
    def of(cls, common_id: str, kind: str, values: dict) -> "Listing":
        """The listing of a stored designation (its values as the row set them)."""
        return cls(common_id, kind, values.get("name", ""), values.get("address", ""), values.get("lat", 0.0),
                   values.get("lon", 0.0))

    @property
    def gsi_parts(self) -> tuple[str, str, str] | None:
        """(municipality, site serial, designation digit) of a GSI 共通ID; None for any other ID."""
        match = _GSI_ID.match(self.common_id)
        return (match.group(1), match.group(2), match.group(3)) if match else None


def same_site(a: Listing, b: Listing) -> bool:
    """The matching rule. Two rows are one site when
    - their names are the same (text_key), and
    - their addresses are the same (text_key, not empty) or their points are within 50 m, and
    - when both IDs are GSI 共通IDs: the same municipality and site serial, and different designations (the
      facility digits do not pair across the two files, so they are not compared; two rows of one file are two
      facilities, never one site).
    A standard-CSV row (its own ID scheme) joins a GSI site by name and place alone."""
    if text_key(a.name) != text_key(b.name):
        return False
    a_gsi, b_gsi = a.gsi_parts, b.gsi_parts
    if a_gsi and b_gsi and (a_gsi[:2] != b_gsi[:2] or a_gsi[2] == b_gsi[2]):
        return False
    same_address = bool(text_key(a.address)) and text_key(a.address) == text_key(b.address)
    return same_address or haversine_km(a.lat, a.lon, b.lat, b.lon) <= SAME_SITE_WITHIN_KM


def may_join(listing: Listing, site_listings: Iterable[Listing]) -> bool:
    """A row joins a site when it is the same site as one of the site's rows and the site has no row of the same
    designation and ID scheme yet (a second GSI 指定避難所 row is another facility)."""
    site_listings = list(site_listings)
    scheme = listing.gsi_parts is not None
    if any(other.kind == listing.kind and (other.gsi_parts is not None) == scheme for other in site_listings):
        return False
    return any(same_site(listing, other) for other in site_listings)


def primary_first(designations: Iterable[tuple[str, str, dict]]) -> list[tuple[str, str, dict]]:
    """(common_id, kind, values) ordered as the site reads them: 指定避難所 rows first, then by ID."""
    return sorted(designations, key=lambda d: (d[1] != DESIGNATED_SHELTER, d[0]))


def site_values(designations: Iterable[tuple[str, str, dict]]) -> dict:
    """A site's imported fields from its rows, each (common_id, kind, values as the row set them):
    where and what from the first row (primary_first) and its ID as the site's common_id; flags when any row
    says yes; notes of every row, each once; any other field (capacity, phone, kana, 受入対象者) from the first
    row that gives it. Only fields some row carries are returned, so a GSI import keeps an HQ-entered capacity."""
    rows = primary_first(designations)
    if not rows:
        return {}
    first_id, _kind, first = rows[0]
    values = {"common_id": first_id, **{field: first[field] for field in PLACE_FIELDS if field in first}}
    kinds = {kind for _id, kind, _v in rows}
    for field in FLAG_FIELDS:
        if any(field in v for _id, _k, v in rows):
            values[field] = any(v.get(field) for _id, _k, v in rows)
    if len(kinds) > 1:
        values["shares_site_with_other_designation"] = True
    notes = [v["notes"] for _id, _k, v in rows if v.get("notes")]
    if any("notes" in v for _id, _k, v in rows):
        values["notes"] = "\n".join(dict.fromkeys(notes))
    for _id, _k, v in rows:
        for field, value in v.items():
            if field in values or field in PLACE_FIELDS:
                continue
            if value not in ("", None) or not any(field in later and later[field] not in ("", None)
                                                  for _i, _kk, later in rows):
                values[field] = value
    return values


# The fields each kind of listing sets (toki.shelters.importing.formats), besides PLACE_FIELDS: what a row
# imported before sites existed (migration 0005) is taken to have said.
_HAZARD_FIELDS = FLAG_FIELDS[3:]
LISTED_FIELDS = {
    "gsi-shelter": ("name", "address", "notes", "is_designated_shelter", "shares_site_with_other_designation",
                    "accepted_people"),
    "gsi-emergency": ("name", "address", "notes", "is_emergency_site", "shares_site_with_other_designation",
                      *_HAZARD_FIELDS),
    "standard-emergency": ("name", "name_kana", "address", "phone", "is_emergency_site", "is_designated_shelter",
                           "shares_site_with_other_designation", "capacity", "notes", *_HAZARD_FIELDS),
}


def listing_format(source: str, is_emergency_site: bool) -> str:
    """Which LISTED_FIELDS entry a stored row came from."""
    if source == "standard-csv":
        return "standard-emergency"
    return "gsi-emergency" if is_emergency_site else "gsi-shelter"


def kind_of_format(listing_format_name: str) -> str:
    return DESIGNATED_SHELTER if listing_format_name == "gsi-shelter" else EMERGENCY_SITE
