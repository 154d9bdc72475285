"""What a snapshot shows, read once per publish from the same public selectors the dynamic pages use, and the
JSON documents of the same data (data/*.json, documented in docs/static-site.md).

Everything here is public: orders and warnings of actual alerts only (drills and tests never reach the public,
`orders_in_force` and `warnings_in_force` leave them out), published notices only, the shelter master and the
lifelines as the public pages show them.
"""

from dataclasses import dataclass, field
from datetime import datetime

from toki.alerts.selectors import last_feed_success, orders_in_force, public_warnings_in_force
from toki.lifelines.selectors import grouped_by_kind, lifelines_for_public
from toki.notices import richtext
from toki.notices.models import SOURCE_LANGUAGE
from toki.notices.selectors import public_notices
from toki.portal.presenters import districts_with_shelters, open_shelter_rows
from toki.portal.site_mode import disaster_mode
from toki.shelters.models import HAZARDS

# The snapshot carries the newest notices (each with a page of its own); older ones stay on the dynamic site.
NOTICE_LIMIT = 20
FORMAT_VERSION = 1


@dataclass
class SiteData:
    """The database rows of one snapshot, loaded once and rendered in every language."""

    municipality: object
    orders: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # WarningState rows of public alerts for the municipality
    feed_last_success: datetime | None = None
    shelter_groups: list = field(default_factory=list)
    open_shelters: list = field(default_factory=list)  # presenters.open_shelter_rows: open now, real incidents
    lifelines: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    mode: object = None

    @property
    def lifeline_groups(self):
        return grouped_by_kind(self.lifelines)

    @property
    def disrupted_lifelines(self) -> list:
        return [lifeline for lifeline in self.lifelines if lifeline.is_disrupted]

    @property
    def transport(self) -> list:
        return [lifeline for lifeline in self.lifelines if lifeline.kind in ("ferry", "flight")]


def collect(municipality) -> SiteData:
    """Read everything a snapshot shows (about ten queries, whatever the number of languages)."""
    if municipality is None:
        return SiteData(municipality=None)
    warnings = public_warnings_in_force(municipality)
    return SiteData(
        municipality=municipality,
        orders=list(orders_in_force(municipality)),
        warnings=warnings,
        feed_last_success=last_feed_success(),
        shelter_groups=districts_with_shelters(municipality),
        open_shelters=open_shelter_rows(municipality),
        lifelines=list(lifelines_for_public(municipality)),
        notices=list(public_notices(municipality)[:NOTICE_LIMIT]),
        mode=disaster_mode(municipality),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _district(district) -> dict | None:
    if district is None:
        return None
    return {"code": district.code, "name": district.name, "name_en": district.name_en}


def _envelope(data: SiteData, generated_at: datetime) -> dict:
    municipality = data.municipality
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": _iso(generated_at),
        "municipality": {"code": municipality.code, "name": municipality.name,
                         "name_en": getattr(municipality, "name_en", "")} if municipality else None,
    }


def situation_json(data: SiteData, generated_at: datetime) -> dict:
    mode = data.mode
    return {
        **_envelope(data, generated_at),
        "disaster_mode": {"on": mode is not None, "message": mode.message if mode else "",
                          "message_en": mode.message_en if mode else ""},
        "evacuation_orders": [
            {"district": _district(order.district), "level": order.level, "level_name": order.get_level_display(),
             "hazard": order.hazard, "reason": order.reason, "issued_at": _iso(order.issued_at)}
            for order in data.orders
        ],
        "warnings": [
            {"area_code": state.area_code, "area_name": state.area_name, "kind_code": state.kind_code,
             "kind_name": state.kind_name, "status": state.status, "level": state.level,
             "report_at": _iso(state.report_at), "title": state.alert.title}
            for state in data.warnings
        ],
        "jma_feed_last_success": _iso(data.feed_last_success),
        "open_shelters": _open_shelters(data),
    }


def _open_shelters(data: SiteData) -> list[dict]:
    """Shelters open now: status open/full (開設/満員), crowding vacant/crowded/full/unknown (空き/混雑/満員/不明)."""
    return [{"name": row["name"], "lat": row["lat"], "lon": row["lon"], "status": row["status"],
             "crowding": row["crowding"], "confirmed_at": _iso(row["confirmed_at"])} for row in data.open_shelters]


def shelters_json(data: SiteData, generated_at: datetime) -> dict:
    return {
        **_envelope(data, generated_at),
        "shelters": [
            {"common_id": shelter.common_id, "name": shelter.name, "name_kana": shelter.name_kana,
             "address": shelter.address, "lat": shelter.lat, "lon": shelter.lon,
             "district": group["district"].code if group["district"] else None,
             "is_designated_shelter": shelter.is_designated_shelter, "is_emergency_site": shelter.is_emergency_site,
             "hazards": [name.removeprefix("hazard_") for name, _column in HAZARDS if getattr(shelter, name)],
             "capacity": shelter.capacity, "phone": shelter.phone}
            for group in data.shelter_groups for shelter in group["shelters"]
        ],
        "open_shelters": _open_shelters(data),
    }


def lifelines_json(data: SiteData, generated_at: datetime) -> dict:
    return {
        **_envelope(data, generated_at),
        "lifelines": [
            {"code": item.code, "kind": item.kind, "name": item.name, "status": item.status, "detail": item.detail,
             "district": item.district.code if item.district else None,
             "scheduled_service": item.scheduled_service,
             "expected_restoration_at": _iso(item.expected_restoration_at),
             "status_as_of": _iso(item.status_as_of), "source": item.source, "source_url": item.source_url}
            for item in data.lifelines
        ],
    }


def notices_json(data: SiteData, generated_at: datetime) -> dict:
    return {
        **_envelope(data, generated_at),
        "source_language": SOURCE_LANGUAGE,
        "notices": [
            {"id": notice.pk, "category": notice.category, "is_important": notice.is_important,
             "published_at": _iso(notice.published_at),
             "districts": [district.code for district in notice.districts.all()],
             "versions": {version.language: {"title": version.title, "body_html": richtext.clean(version.body)}
                          for version in notice.versions.all()}}
            for notice in data.notices
        ],
    }


JSON_DOCUMENTS = {
    "data/situation.json": situation_json,
    "data/shelters.json": shelters_json,
    "data/lifelines.json": lifelines_json,
    "data/notices.json": notices_json,
}
