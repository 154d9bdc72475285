"""Automatic chronology entries from other apps: JMA (and CAP) alerts, the city's evacuation orders, and shelter
openings (opened, 満員, crowding, closed).

Neither alerts nor shelters call these: HQ's subscribers (`toki/hq/subscribers.py`) run them in a task after the
commit of the `alerts.alert_recorded` and `shelters.opening_*` events (ADR 0007). Entries carry a dedup key, so
running one twice (a redelivery by `events_sweep`) writes nothing twice."""

from django.db import transaction

from toki.alerts.models import Alert, EvacuationOrder
from toki.hq.actions.chronology import record_event, record_for_active_incidents
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


# What a shelter-opening change says in the chronology (HQ reads Japanese; the labels are the official words).
OPENING_STATUS_WORDS = {"open": "開設", "full": "満員", "closed": "閉鎖"}
CROWDING_WORDS = {"vacant": "空き", "crowded": "混雑", "full": "満員", "unknown": "不明"}


def chronicle_shelter_opening(opening_id: int, change: str) -> int:
    """Write the chronology entry for one change of a shelter opening (opened, status, crowding, confirmed,
    closed) into its incident; return how many entries were written (0 or 1). Idempotent: the dedup key holds the
    opening's last-change time, so a task run twice writes once."""
    from toki.shelters.models import ShelterOpening  # shelters depends on hq, not the other way round

    opening = (ShelterOpening.objects.select_related("shelter__district", "incident").filter(pk=opening_id)
               .first())
    if opening is None or change == "confirmed":  # a routine 異常なし confirmation is not an event
        return 0
    shelter = opening.shelter
    status = OPENING_STATUS_WORDS.get(opening.status, opening.status)
    occupancy = f"{opening.people_in}人" + (f" / 収容{shelter.capacity}人" if shelter.capacity else "")
    content = {
        "opened": f"避難所開設: {shelter.name}",
        "status": f"避難所の状況 {status}: {shelter.name}（{occupancy}）",
        "crowding": f"避難所の混雑 {CROWDING_WORDS.get(opening.crowding, opening.crowding)}: {shelter.name}"
                    f"（{occupancy}）",
        "closed": f"避難所閉鎖: {shelter.name}",
    }.get(change)
    if content is None:
        return 0
    with transaction.atomic():
        record_event(incident=opening.incident, category=ChronologyCategory.SHELTER, content=content,
                     sender=shelter.name, district=shelter.district, source=opening,
                     dedup_key=f"shelter-opening:{opening.pk}:{change}:{opening.updated_at.isoformat()}")
    return 1
