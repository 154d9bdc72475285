"""Japanese dates: the 和暦 (era) year and a template filter that shows it beside the Gregorian date.

Datetimes are stored in UTC (USE_TZ) and shown in Asia/Tokyo; `localtime` does that conversion.
"""

import datetime

from django import template
from django.utils import timezone, translation

register = template.Library()

# (first day of the era, name). Newest first so the first match wins.
ERAS = (
    (datetime.date(2019, 5, 1), "令和"),
    (datetime.date(1989, 1, 8), "平成"),
    (datetime.date(1926, 12, 25), "昭和"),
    (datetime.date(1912, 7, 30), "大正"),
    (datetime.date(1868, 10, 23), "明治"),
)


def wareki_year(day: datetime.date) -> str:
    """`令和8年` for 2026-11-24; the first year of an era is 元年. Dates before 明治 get no era."""
    for start, name in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年"
    return ""


def _as_local_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def jp_date(value) -> str:
    """2026年11月24日（令和8年） on Japanese pages, 2026-11-24 elsewhere."""
    if not value:
        return ""
    day = _as_local_date(value)
    if translation.get_language() in ("ja", "ja-easy"):
        return f"{day.year}年{day.month}月{day.day}日（{wareki_year(day)}）"
    return day.isoformat()
