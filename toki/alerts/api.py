"""Public JSON API of alerts under /api/v1/alerts: what is in force now and the history. Drills and tests are
never served here (staff see them in the staff pages)."""

from datetime import datetime

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from toki.alerts import selectors
from toki.alerts.in_force import titles_of_states
from toki.alerts.models import Alert
from toki.alerts.rendering.render import render
from toki.areas.selectors import default_municipality
from toki.lib.bounded import Id, Moment, Offset

router = Router(tags=["alerts"])
LANGUAGES = [code for code, _name in settings.LANGUAGES]


class FreeTextOut(Schema):
    label: str = Field(description="In the requested language, e.g. 'Original text from JMA (Japanese):'")
    text: str = Field(description="Japanese, as written")


class AlertOut(Schema):
    id: int
    identifier: str
    source: str = Field(description="jma, city or cap")
    category: str
    type_code: str
    msg_type: str = Field(description="alert (発表), update (訂正 or a newer version), cancel (取消)")
    sender: str
    sent_at: datetime
    expires_at: datetime | None
    level: int | None = Field(description="警戒レベル where the message carries one")
    severity: str
    title: str = Field(description="Rendered in the requested language")
    short: str = Field(description="At most 100 characters: for a push notification")
    body: str
    untranslated: list[FreeTextOut] = Field(description="Japanese free text with no translation, included as is")
    cap_url: str
    references: list[int]


class WarningOut(Schema):
    area_code: str
    area_name: str
    kind_code: str
    kind_name: str
    system: str
    status: str
    level: int | None
    alert_id: int
    report_at: datetime


class OrderOut(Schema):
    district: str
    district_name: str
    level: int
    hazard: str
    issued_at: datetime
    alert_id: int


class CurrentOut(Schema):
    municipality: str
    warnings: list[WarningOut]
    evacuation_orders: list[OrderOut]
    alerts: list[AlertOut] = Field(description="The alerts that set what is in force")
    in_force: list[str] = Field(description="The warnings in force as the portal's 'in force' box words them, in "
                                            "the requested language (a downgrade names what remains in force)")


class HistoryFilter(Schema):
    lang: str = "ja"
    category: Alert.Category | None = None
    since: Moment | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else "ja"


def alert_out(alert: Alert, lang: str) -> dict:
    rendered = render(alert.facts, _language(lang), msg_type=alert.msg_type,
                      is_drill=alert.status == Alert.Status.EXERCISE)
    return {
        "id": alert.pk, "identifier": alert.identifier, "source": alert.source, "category": alert.category,
        "type_code": alert.type_code, "msg_type": alert.msg_type, "sender": alert.sender, "sent_at": alert.sent_at,
        "expires_at": alert.expires_at, "level": alert.level, "severity": alert.severity,
        "title": rendered.title, "short": rendered.short, "body": rendered.body,
        "untranslated": [{"label": t.label, "text": t.text} for t in rendered.untranslated],
        "cap_url": f"/cap/alerts/{alert.pk}.xml",
        "references": [ref.pk for ref in alert.references.all()],
    }


@router.get("/current", response=CurrentOut, summary="Warnings and evacuation orders in force now")
def current(request, lang: str = "ja"):
    municipality = default_municipality()
    if municipality is None:
        return {"municipality": "", "warnings": [], "evacuation_orders": [], "alerts": [], "in_force": []}
    warnings = selectors.public_warnings_in_force(municipality)
    orders = list(selectors.orders_in_force(municipality))
    alert_ids = {w.alert_id for w in warnings} | {o.issue_alert_id for o in orders}
    alerts = selectors.public_alerts(municipality).filter(pk__in=alert_ids).prefetch_related("references")
    return {
        "municipality": municipality.code,
        "warnings": [{**{f: getattr(w, f) for f in WarningOut.model_fields if f != "alert_id"},
                      "alert_id": w.alert_id} for w in warnings],
        "evacuation_orders": [{"district": o.district.code, "district_name": o.district.name, "level": o.level,
                               "hazard": o.hazard, "issued_at": o.issued_at, "alert_id": o.issue_alert_id}
                              for o in orders],
        "alerts": [alert_out(a, lang) for a in alerts],
        "in_force": titles_of_states(warnings, _language(lang)),
    }


@router.get("", response=list[AlertOut], summary="Public alerts, newest first")
def history(request, filters: Query[HistoryFilter]):
    municipality = default_municipality()
    if municipality is None:
        return []
    alerts = selectors.public_alerts(municipality).prefetch_related("references")
    if filters.category:
        alerts = alerts.filter(category=filters.category)
    if filters.since:
        alerts = alerts.filter(sent_at__gte=filters.since)
    page = alerts.order_by("-sent_at", "-id")[filters.offset:filters.offset + filters.limit]
    return [alert_out(a, filters.lang) for a in page]


@router.get("/{alert_id}", response=AlertOut, summary="One public alert")
def detail(request, alert_id: Id, lang: str = "ja"):
    municipality = default_municipality()
    if municipality is None:
        raise Http404
    return alert_out(get_object_or_404(selectors.public_alerts(municipality), pk=alert_id), lang)
