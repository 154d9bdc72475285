"""Public JSON API of notices, mounted by the lead at /api/v1/notices: published notices, newest first, in the
requested language with the Japanese version as the fallback (marked)."""

from datetime import datetime

from django.conf import settings
from ninja import Field, Query, Router, Schema

from toki.areas.selectors import default_municipality, district_by_code
from toki.lib.bounded import Offset
from toki.notices import richtext, selectors
from toki.notices.models import SOURCE_LANGUAGE, Notice
from toki.notices.presenters import shown_all

router = Router(tags=["notices"])
LANGUAGES = [code for code, _name in settings.LANGUAGES]


class NoticeOut(Schema):
    id: int
    category: str = Field(description="disaster, life, health, transport or other")
    is_important: bool
    published_at: datetime
    districts: list[str] = Field(description="District codes; empty means the whole municipality")
    language: str = Field(description="The language of title and body: the requested one, or ja as the fallback")
    is_fallback: bool = Field(description="True when the requested language has no version and ja is served")
    title: str
    body_html: str = Field(description="Cleaned HTML: p, br, strong, b, ul, ol, li, a (http, https, tel, mailto)")
    body_text: str = Field(description="The body without markup")
    url: str


class NoticeFilter(Schema):
    lang: str = Field("ja", description="One of the site languages; anything else is treated as ja")
    category: Notice.Category | None = None
    district: str | None = Field(None, description="A district code: its notices and the whole-city ones")
    limit: int = Field(20, ge=1, le=100)
    offset: Offset = 0


def notice_out(item) -> dict:
    notice, version = item.notice, item.version
    body = richtext.clean(version.body)
    return {
        "id": notice.pk, "category": notice.category, "is_important": notice.is_important,
        "published_at": notice.published_at, "districts": [d.code for d in notice.districts.all()],
        "language": version.language, "is_fallback": item.is_fallback, "title": version.title,
        "body_html": body, "body_text": richtext.plain_text(body), "url": f"/notices/{notice.pk}/",
    }


@router.get("", response=list[NoticeOut], summary="Published notices from the city, newest first")
def notice_list(request, filters: Query[NoticeFilter]):
    municipality = default_municipality()
    if municipality is None:
        return []
    language = filters.lang if filters.lang in LANGUAGES else SOURCE_LANGUAGE
    district = None
    if filters.district:
        district = district_by_code(municipality.pk, filters.district)
        if district is None:
            return []
    notices = selectors.public_notices(municipality, category=filters.category or "", district=district)
    page = notices[filters.offset:filters.offset + filters.limit]
    return [notice_out(item) for item in shown_all(page, language)]
