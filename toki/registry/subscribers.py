"""What the registry does when other apps change (toki.events, ADR 0007). Nothing upstream imports the registry:
it listens. An evacuation order opens (or widens) a 安否確認 round for its districts; people checked in at a
shelter are matched to the register by keyed hash; a household tablet's 安否 answer is recorded for the people
linked to that household. All are idempotent, so a redelivery changes nothing."""

from toki.events.registry import subscriber


@subscriber("alerts.alert_recorded", app="registry")
def open_round_for_order(event) -> None:
    from toki.alerts.models import EvacuationOrder
    from toki.areas.models import District, Municipality
    from toki.registry.actions_safety import open_round
    from toki.registry.models import SafetyRound

    orders = list(EvacuationOrder.objects.filter(issue_alert_id=event.ids["alert_id"]).values_list(
        "district_id", "is_drill", "municipality_id"))
    if not orders or SafetyRound.objects.filter(alert_id=event.ids["alert_id"]).exists():
        return
    for is_drill in {drill for _, drill, _ in orders}:
        districts = District.objects.filter(pk__in=[d for d, drill, _ in orders if drill == is_drill])
        open_round(actor=None, municipality=Municipality.objects.get(pk=orders[0][2]), districts=districts,
                   alert_id=event.ids["alert_id"], is_drill=is_drill)


@subscriber("shelters.people_checked_in", app="registry")
def match_arrivals(event) -> None:
    from toki.registry.actions_safety import match_check_ins

    match_check_ins(event.ids["registration_ids"])


@subscriber("community.safety_reply_recorded", app="registry")
def record_tablet_reply(event) -> None:
    from toki.registry.actions_safety import record_tablet_reply as record

    record(event.ids["reply_id"])
