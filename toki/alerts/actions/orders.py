"""The city's evacuation orders (避難情報): issued by HQ for chosen districts, lifted the same way. Each issue or
lifting becomes an Alert of source "city" and travels the same road as JMA alerts."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit
from toki.alerts import events
from toki.alerts.models import Alert, EvacuationOrder
from toki.alerts.permissions import may_issue_orders
from toki.alerts.rendering.facts import facts_for_evacuation
from toki.alerts.selectors import city_alert_identifier, orders_issued_with
from toki.areas.models import Municipality

LEVEL_TITLES = {3: "高齢者等避難", 4: "避難指示", 5: "緊急安全確保"}
LEVEL_SEVERITY = {3: "Moderate", 4: "Severe", 5: "Extreme"}
CITY_SENDER_SUFFIX = "災害対策本部"


def _check(user, districts, reason: str) -> None:
    if not may_issue_orders(user):
        raise PermissionDenied("issuing evacuation orders needs an HQ editor or admin role")
    if not districts:
        raise ValidationError({"districts": "choose at least one district"})
    if not reason.strip():
        raise ValidationError({"reason": "give the reason residents will read"})
    if len({d.municipality_id for d in districts}) != 1:
        raise ValidationError({"districts": "all districts must belong to one municipality"})


def _district_names(districts) -> dict:
    return {d.code: {"ja": d.name, "en": d.name_en or d.name} for d in districts}


def change_of(level: int, districts, replaced) -> dict | None:
    """What an order at `level` for `districts` does to the orders it replaces (same hazard), by comparing them:
    raised above all of them, lowered below all of them, the same order again (same level, same districts: a
    correction of its text), or otherwise updated (districts added or levels mixed). None when it replaces none."""
    if not replaced:
        return None
    old_levels = [o.level for o in replaced]
    if level > max(old_levels):
        return {"kind": "raised", "from_level": max(old_levels)}
    if level < min(old_levels):
        return {"kind": "lowered", "from_level": min(old_levels)}
    same_districts = {o.district_id for o in replaced} == {d.pk for d in districts}
    if set(old_levels) == {level} and same_districts:
        return {"kind": "corrected", "from_level": level}
    return {"kind": "updated", "from_level": max(old_levels)}


def evacuation_facts(*, level: int, hazard: str, districts, reason: str, lifted: bool, issued_at,
                     change: dict | None = None) -> dict:
    """The facts every language is rendered from (also what the review step shows before issuing)."""
    return facts_for_evacuation(level=level, hazard=hazard, district_codes=[d.code for d in districts],
                                district_names=_district_names(districts), reason=reason, lifted=lifted,
                                issued_at=issued_at, change=change)


def _city_alert(*, municipality, level: int, hazard: str, districts, reason: str, lifted: bool, is_drill: bool,
                references=(), change: dict | None = None, key: uuid.UUID | None = None) -> Alert:
    now = timezone.now()
    title = f"{municipality.name} {LEVEL_TITLES[level]}{'解除' if lifted else ''}"
    alert = Alert.objects.create(
        municipality=municipality,
        source=Alert.Source.CITY,
        identifier=city_alert_identifier(municipality, key or uuid.uuid4()),
        category=Alert.Category.EVACUATION,
        title=title,
        status=Alert.Status.EXERCISE if is_drill else Alert.Status.ACTUAL,
        msg_type=Alert.MsgType.UPDATE if references else Alert.MsgType.ALERT,
        sender=f"{municipality.name}{CITY_SENDER_SUFFIX}",
        sent_at=now,
        headline=f"{title}（{'、'.join(d.name for d in districts)}）",
        level=None if lifted else level,
        severity="Minor" if lifted else LEVEL_SEVERITY[level],
        facts=evacuation_facts(level=level, hazard=hazard, districts=districts, reason=reason, lifted=lifted,
                               issued_at=now, change=change),
    )
    if references:
        alert.references.add(*references)
    return alert


def issue_evacuation_order(*, acting_user, districts, level: int, hazard: str, reason: str,
                           is_drill: bool = False, idempotency_key: uuid.UUID | None = None) -> list[EvacuationOrder]:
    """Issue (or raise/lower to) `level` for `hazard` in `districts`. An order already in force for the same
    district and hazard is replaced: it is lifted by this one, so each district has one order per hazard.

    `idempotency_key` (the issuing form's, a uuid) makes a resubmitted form (a double click, a reload, the back
    button) return the orders that form issued the first time, issuing and sending nothing again: it becomes the
    uuid of the Alert's identifier, which the database keeps unique."""
    districts = list(districts)
    _check(acting_user, districts, reason)
    if level not in LEVEL_TITLES:
        raise ValidationError({"level": f"level must be one of {sorted(LEVEL_TITLES)}"})
    if hazard not in EvacuationOrder.Hazard.values:
        raise ValidationError({"hazard": f"unknown hazard {hazard!r}"})
    municipality = districts[0].municipality
    with transaction.atomic():
        if idempotency_key is not None:
            earlier = _issued_before(municipality, idempotency_key)
            if earlier is not None:
                return earlier
        replaced = list(EvacuationOrder.objects.select_for_update().filter(
            district__in=districts, hazard=hazard, is_drill=is_drill, lifted_at=None))
        alert = _city_alert(municipality=municipality, level=level, hazard=hazard, districts=districts,
                            reason=reason, lifted=False, is_drill=is_drill,
                            references=sorted({o.issue_alert for o in replaced}, key=lambda a: a.pk),
                            change=change_of(level, districts, replaced), key=idempotency_key)
        now = alert.sent_at
        for order in replaced:
            order.lifted_at, order.lifted_by, order.lift_alert = now, acting_user, alert
            order.save(update_fields=["lifted_at", "lifted_by", "lift_alert"])
        orders = [
            EvacuationOrder.objects.create(
                municipality=municipality, district=district, level=level, hazard=hazard, reason=reason,
                is_drill=is_drill, issued_at=now, issued_by=acting_user, issue_alert=alert,
            )
            for district in districts
        ]
        audit.record(actor=acting_user, action="alerts.issue_evacuation_order", obj=alert, changes={
            "level": level, "hazard": hazard, "districts": [d.code for d in districts], "drill": is_drill,
            "replaced": [o.pk for o in replaced],
        })
        events.published(alert, public=not is_drill)  # drills never reach the public pages
    return orders


def _issued_before(municipality, key: uuid.UUID) -> list[EvacuationOrder] | None:
    """The orders issued with this form key, or None. Issuers of the municipality queue on its row first, so a
    second submit waiting behind the first sees its commit (PostgreSQL; SQLite has one writer at a time)."""
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    earlier = orders_issued_with(municipality, key)
    if earlier == []:  # the key names an alert that issued nothing (a lifting): not this form's
        raise ValidationError({"idempotency_key": _("This form is out of date: reload the page and fill it in again.")})
    return earlier


def lift_evacuation_orders(*, acting_user, orders, reason: str) -> Alert:
    """Lift orders in force (one Alert for all of them; they must share hazard and drill flag)."""
    orders = [o for o in orders if o.lifted_at is None]
    districts = [o.district for o in orders]
    _check(acting_user, districts, reason)
    if len({(o.hazard, o.is_drill) for o in orders}) != 1:
        raise ValidationError({"orders": _("Lift the orders of one hazard at a time.")})
    first = orders[0]
    with transaction.atomic():
        locked = list(EvacuationOrder.objects.select_for_update().filter(pk__in=[o.pk for o in orders],
                                                                         lifted_at=None))
        if len(locked) != len(orders):
            raise ValidationError({"orders": _("Some of these orders were lifted meanwhile: reload the page and try "
                                               "again.")})
        alert = _city_alert(municipality=first.municipality, level=max(o.level for o in locked),
                            hazard=first.hazard, districts=districts, reason=reason, lifted=True,
                            is_drill=first.is_drill, references=sorted({o.issue_alert for o in locked},
                                                                       key=lambda a: a.pk))
        for order in locked:
            order.lifted_at, order.lifted_by, order.lift_alert = alert.sent_at, acting_user, alert
            order.save(update_fields=["lifted_at", "lifted_by", "lift_alert"])
        audit.record(actor=acting_user, action="alerts.lift_evacuation_orders", obj=alert, changes={
            "orders": [o.pk for o in locked], "districts": [d.code for d in districts], "hazard": first.hazard,
        })
        events.published(alert, public=not first.is_drill)  # drills never reach the public pages
    return alert
