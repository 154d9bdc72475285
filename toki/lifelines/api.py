"""Public JSON API of lifelines, mounted by the lead at /api/v1/lifelines: the same list as the public page."""

from datetime import datetime

from ninja import Field, Router, Schema

from toki.areas.selectors import default_municipality
from toki.lifelines.selectors import lifelines_for_public

router = Router(tags=["lifelines"])


class LifelineOut(Schema):
    id: int
    code: str = Field(description="Stable identifier, as used by imports")
    kind: str = Field(description="ferry, flight, road, power, water, telecom or other")
    kind_label: str = Field(description="In the request's language")
    name: str
    district: str | None = Field(description="District code, when the lifeline belongs to one")
    district_name: str | None
    scheduled_service: bool = Field(description="False for e.g. an airport with no scheduled flights")
    status: str = Field(description="normal, partly_disrupted, suspended or unknown")
    status_label: str = Field(description="In the request's language")
    detail: str
    expected_restoration_at: datetime | None
    status_as_of: datetime | None = Field(description="When the status was true (null: no report yet)")
    source: str
    source_url: str


def lifeline_out(lifeline) -> dict:
    district = lifeline.district
    return {
        "id": lifeline.pk, "code": lifeline.code, "kind": lifeline.kind, "kind_label": str(lifeline.get_kind_display()),
        "name": lifeline.name, "district": district.code if district else None,
        "district_name": district.name if district else None, "scheduled_service": lifeline.scheduled_service,
        "status": lifeline.status, "status_label": str(lifeline.get_status_display()), "detail": lifeline.detail,
        "expected_restoration_at": lifeline.expected_restoration_at, "status_as_of": lifeline.status_as_of,
        "source": lifeline.source, "source_url": lifeline.source_url,
    }


@router.get("", response=list[LifelineOut], summary="Every lifeline and its current status, newest first")
def public_list(request):
    return [lifeline_out(lifeline) for lifeline in lifelines_for_public(default_municipality())]
