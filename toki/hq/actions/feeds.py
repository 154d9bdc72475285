"""Automatic chronology entries from the alerts app: JMA (and CAP) alerts and the city's evacuation orders.

The alerts app is not changed: `toki.hq.signals` listens for new `Alert` rows and, once the alert's transaction
has committed, calls `chronicle_alert(alert_id)`. Entries carry a dedup key, so running it twice writes nothing
twice."""

from django.db import transaction

from toki.alerts.models import Alert, EvacuationOrder
from toki.hq.actions.chronology import record_for_active_incidents
from toki.hq.models import ChronologyCategory

LEVEL_WORDS = {3: "高齢者等避難", 4: "避難指示", 5: "緊急安全確保"}


def chronicle_alert(alert_id: int) -> int:
    """Write the chronology entries for one new alert into the active incidents it concerns; return how many."""
    alert = Alert.objects.select_related("municipality").filter(pk=alert_id).first()
    if alert is None or alert.status == Alert.Status.TEST:
        return 0  # 試験 telegrams are system checks, not events
    is_drill = alert.status == Alert.Status.EXERCISE
    written = 0
    with transaction.atomic():
        if alert.source == Alert.Source.CITY and alert.category == Alert.Category.EVACUATION:
            orders = [(order, "発令") for order in EvacuationOrder.objects.filter(issue_alert=alert)
                      .select_related("district")]
            orders += [(order, "解除") for order in EvacuationOrder.objects.filter(lift_alert=alert)
                       .select_related("district")]
            for order, verb in orders:
                written += len(record_for_active_incidents(
                    municipality=alert.municipality, is_drill=is_drill, category=ChronologyCategory.EVACUATION,
                    at=alert.sent_at, sender=alert.sender, recipient=order.district.name, district=order.district,
                    content=(f"{LEVEL_WORDS.get(order.level, order.get_level_display())} {verb} "
                             f"{order.district.name}（{order.get_hazard_display()}）\n{order.reason}"),
                    source=order, link="/alerts/orders/", dedup_key=f"order:{order.pk}:{verb}"))
        else:
            content = alert.title + (f"\n{alert.headline}" if alert.headline else "")
            written += len(record_for_active_incidents(
                municipality=alert.municipality, is_drill=is_drill, category=ChronologyCategory.WEATHER,
                at=alert.sent_at, sender=alert.sender, content=content, source=alert, link="/alerts/",
                dedup_key=f"alert:{alert.pk}"))
    return written
