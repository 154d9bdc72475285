"""Applying a stored JMA telegram: one Alert per telegram version that concerns the municipality, and the
warnings in force per (area, kind) kept as state (reference §6).

Rules:
- Status: 通常 → actual; 訓練 → exercise (its own state, never public); 試験 → test (an Alert for staff, no state).
- Info type: 発表 → alert; 訂正 → update (replaces the state even at the same report time); 取消 → cancel (the
  states the withdrawn telegram set are removed; the Alert says the earlier information is withdrawn).
- Order: a telegram older than the state it would change never overwrites it (late or re-sent telegrams).
- Warning telegrams are snapshots per area: kinds in force are 発表/継続; a kind no longer listed, or listed as
  解除, or an area marked 発表警報・注意報はなし, is no longer in force.
- Each warning system keeps its own state (H27 VPWW53/54 and the R06 VPWW55–61 side by side); river forecasts
  per river (their event id), tsunami forecasts per tsunami region.
"""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.alerts import events
from toki.alerts.actions.telegrams import REPLACING_INFO_TYPES, series
from toki.alerts.jma import catalogue
from toki.alerts.jma.model import Telegram as ParsedTelegram
from toki.alerts.jma.parser import parse_telegram
from toki.alerts.jma.relevance import matching_areas
from toki.alerts.models import Alert, Telegram, WarningState
from toki.alerts.rendering.facts import category_of, facts_from_telegram
from toki.alerts.tasks import process_telegram
from toki.areas.models import Municipality
from toki.areas.selectors import default_municipality
from toki.events.outbox import publish
from toki.lib.tasks import enqueue_on_commit

STATUS = {"通常": Alert.Status.ACTUAL, "訓練": Alert.Status.EXERCISE, "試験": Alert.Status.TEST}
MSG_TYPE = {"発表": Alert.MsgType.ALERT, "訂正": Alert.MsgType.UPDATE, "取消": Alert.MsgType.CANCEL,
            "遅延": Alert.MsgType.UPDATE}
IN_FORCE = ("発表", "継続")
STATEFUL_FAMILIES = (catalogue.WARNING, catalogue.RIVER, catalogue.TSUNAMI)


@dataclass(frozen=True)
class StateEntry:
    """One (area, kind) in force according to a telegram."""

    area_code: str
    area_name: str
    kind_code: str
    kind_name: str
    status: str
    level: int | None


def apply_telegram(telegram_id: int) -> Alert | None:
    """Make the Alert of a stored telegram and update the warnings in force. Idempotent: a telegram already
    applied returns its Alert; one that does not concern the municipality returns None.

    A 訂正 or 取消 concerns the municipality when the telegram it replaces did (a real 取消 names no area). A
    telegram whose 取消 arrived before it (feeds out of order) is kept as an Alert but changes no state and is
    announced to nobody; its 取消 is then applied too, and announced to nobody either."""
    with transaction.atomic():
        telegram = Telegram.objects.select_for_update().get(pk=telegram_id)
        if telegram.processed_at is not None:
            return Alert.objects.filter(telegram=telegram).first()
        municipality = default_municipality()
        parsed = parse_telegram(telegram.body.encode("utf-8"), source_name=telegram.url)
        matches = matching_areas(parsed, municipality.jma_codes) if municipality else ()
        replacing = parsed.info_type in REPLACING_INFO_TYPES and _earlier_alerts(parsed).exists()
        duplicate = _same_version_held(parsed)
        alert = None
        early_retractions = []
        stale = False
        if municipality is not None and (matches or replacing) and duplicate is None:
            alert = _create_alert(telegram, parsed, municipality, matches)
            early_retractions = list(_retractions_held_before(telegram, parsed))
            if not early_retractions:
                stale = _update_state(alert, parsed, {m.area for m in matches})
        telegram.processed_at = timezone.now()
        telegram.save(update_fields=["processed_at"])
        audit.record(actor=None, action="alerts.apply_telegram", obj=telegram,
                     changes={"alert": alert.pk if alert else None, "type": parsed.message_type.code,
                              "withdrawn_before_arrival": bool(early_retractions), "stale": stale,
                              "duplicate_of": duplicate.pk if duplicate else None})
        for retraction in early_retractions:
            _apply_held_retraction(retraction)
        if alert is not None:
            # HQ's chronology, the portal and its 軽量版, LINE and other channels (toki.alerts.events).
            events.published(alert, public=alert.is_public and not stale,
                             announced=not stale and _announced(alert))
    return alert


def _same_version_held(parsed: ParsedTelegram) -> Alert | None:
    """The Alert of the same telegram version already held: JMA re-sends a telegram under another file name, and
    a version is (Control/Title, EditorialOffice, EventID, Serial, ReportDateTime) with its status and info type
    (reference §6.2). Such a copy makes nothing and is announced to nobody."""
    return Alert.objects.filter(
        source=Alert.Source.JMA, title=parsed.title, sender=parsed.editorial_office, event_id=parsed.event_id,
        serial=parsed.serial, sent_at=parsed.report_datetime, msg_type=MSG_TYPE[parsed.info_type],
        status=STATUS[parsed.status],
    ).first()


def _retractions_held_before(telegram: Telegram, parsed: ParsedTelegram):
    """取消 telegrams of this telegram's series that are newer than it and were stored before it arrived."""
    if parsed.info_type == "取消":
        return Telegram.objects.none()
    return (series(parsed).filter(info_type="取消", report_at__gte=parsed.report_datetime, pk__lt=telegram.pk)
            .order_by("report_at", "pk"))


def _apply_held_retraction(retraction: Telegram) -> None:
    """A 取消 stored before the telegram it withdraws did not concern the municipality then; it does now."""
    if retraction.processed_at is not None and Alert.objects.filter(telegram=retraction).exists():
        return
    Telegram.objects.filter(pk=retraction.pk).update(concerns=True, processed_at=None)
    enqueue_on_commit(process_telegram, retraction.pk)


def _announced(alert: Alert) -> bool:
    """Whether residents are told of this alert: not when it was withdrawn before it arrived, nor a 取消 of
    something nobody was told of."""
    if alert.telegram_id is None:
        return True
    if alert.msg_type != Alert.MsgType.CANCEL:
        return not Telegram.objects.filter(
            pk__lt=alert.telegram_id, info_type="取消", report_at__gte=alert.sent_at,
            title=alert.title, editorial_office=alert.sender, event_id=alert.event_id).exists()
    withdrawn = alert.references.first()
    return (withdrawn is not None and withdrawn.telegram_id is not None
            and withdrawn.telegram_id < alert.telegram_id and _announced(withdrawn))


def _identifier(telegram: Telegram) -> str:
    return "jma:" + PurePosixPath(telegram.url).stem


def _earlier_alerts(parsed: ParsedTelegram):
    """Alerts of earlier versions of the same telegram series (same title, office and event)."""
    return Alert.objects.filter(
        source=Alert.Source.JMA, title=parsed.title, sender=parsed.editorial_office, event_id=parsed.event_id,
    ).order_by("-sent_at", "-id")


def _create_alert(telegram: Telegram, parsed: ParsedTelegram, municipality: Municipality, matches) -> Alert:
    profile_codes = municipality.jma_codes
    areas = {m.area for m in matches}
    alert = Alert.objects.create(
        municipality=municipality,
        source=Alert.Source.JMA,
        identifier=_identifier(telegram),
        telegram=telegram,
        category=category_of(parsed),
        type_code=parsed.message_type.code,
        title=parsed.title,
        status=STATUS[parsed.status],
        msg_type=MSG_TYPE[parsed.info_type],
        sender=parsed.editorial_office,
        event_id=parsed.event_id,
        serial=parsed.serial,
        sent_at=parsed.report_datetime,
        expires_at=parsed.valid_datetime,
        headline=parsed.headline_text,
        level=_max_level(parsed, areas),
        severity=severity_of(parsed, areas),
        facts={**facts_from_telegram(parsed, profile_codes), "all_clear": is_all_clear(parsed, areas)},
    )
    previous = _earlier_alerts(parsed).exclude(pk=alert.pk).first()
    if previous is not None and (parsed.info_type != "発表" or parsed.event_id):
        alert.references.add(previous)
    return alert


# --- Warnings in force -----------------------------------------------------------------------------------

def _system_of(parsed: ParsedTelegram) -> str:
    family = parsed.message_type.family
    if family == catalogue.RIVER:
        return f"river:{parsed.event_id}"
    if family == catalogue.TSUNAMI:
        return "tsunami"
    return parsed.message_type.code or parsed.title[:12]


def _entries(parsed: ParsedTelegram, matched_areas: set) -> dict[str, tuple[str, list[StateEntry]]]:
    """Per matched area code: (area name, the kinds in force) as the telegram states them."""
    snapshot: dict[str, tuple[str, list[StateEntry]]] = {}
    for item in parsed.warnings:
        for area in item.areas:
            if area not in matched_areas:
                continue
            _name, entries = snapshot.setdefault(area.code, (area.name, []))
            entries.extend(
                StateEntry(area.code, area.name, kind.code, kind.name, kind.status, kind.level)
                for kind in item.kinds if kind.status in IN_FORCE and kind.code
            )
    for forecast in parsed.tsunami_forecasts:
        if forecast.area not in matched_areas:
            continue
        _name, entries = snapshot.setdefault(forecast.area.code, (forecast.area.name, []))
        if "解除" not in forecast.category.name:
            entries.append(StateEntry(forecast.area.code, forecast.area.name, forecast.category.code,
                                      forecast.category.name, "発表", None))
    return snapshot


def _update_state(alert: Alert, parsed: ParsedTelegram, matched_areas: set) -> bool:
    """Apply the telegram to the warnings in force; True when it is stale: every area it speaks of was already
    spoken of by a newer telegram (it arrived late), so it changes nothing and is news to nobody."""
    if alert.status == Alert.Status.TEST:
        return False
    is_drill = alert.status == Alert.Status.EXERCISE
    if parsed.info_type == "取消":
        _withdraw(alert, is_drill)
        return False
    if parsed.message_type.family not in STATEFUL_FAMILIES:
        return False
    if parsed.info_type == "訂正" and not matched_areas:
        # The correction no longer names the municipality: what the corrected telegram set is not in force.
        corrected = _earlier_alerts_of(alert).first()
        if corrected is not None:
            alert.references.add(corrected)
            WarningState.objects.filter(alert=corrected, is_drill=is_drill).delete()
        return False
    applied, outdated = _set_states(alert, parsed, matched_areas, is_drill)
    return outdated > 0 and applied == 0


def _set_states(alert: Alert, parsed: ParsedTelegram, matched_areas: set, is_drill: bool, *,
                only_vacant: bool = False) -> tuple[int, int]:
    """Write what the telegram says is in force for each matched area (only_vacant: only for areas of which no
    state is held, as when a withdrawn telegram's predecessor is restored). Returns (areas applied, areas left
    because a newer telegram already spoke of them)."""
    applied = outdated = 0
    system = _system_of(parsed)
    states = WarningState.objects.filter(municipality=alert.municipality, system=system, is_drill=is_drill)
    entries_by_area = _entries(parsed, matched_areas)
    if not only_vacant and _newer_in_system(alert, parsed).exists():
        # A newer telegram of this system already spoke (perhaps lifting everything, so no row is left to
        # compare with): this late one changes nothing.
        return 0, len(entries_by_area)
    for area_code, (area_name, entries) in entries_by_area.items():
        if only_vacant and states.filter(area_code=area_code).exists():
            continue
        current = {s.kind_code: s for s in states.filter(area_code=area_code)}
        if any(not _may_replace(s, alert) for s in current.values()):
            outdated += 1
            continue  # a newer telegram already spoke of this area
        applied += 1
        in_force = {e.kind_code: e for e in entries}
        for kind_code, state in current.items():
            if kind_code not in in_force:
                state.delete()
        for entry in in_force.values():
            WarningState.objects.update_or_create(
                municipality=alert.municipality, area_code=area_code, kind_code=entry.kind_code, system=system,
                is_drill=is_drill,
                defaults={"area_name": area_name, "kind_name": entry.kind_name, "status": entry.status,
                          "level": entry.level, "alert": alert, "report_at": alert.sent_at,
                          "expires_at": alert.expires_at},
            )
    return applied, outdated


def _newer_in_system(alert: Alert, parsed: ParsedTelegram):
    """Processed Alerts newer than `alert` of the same warning system, drill status and municipality."""
    newer = Alert.objects.filter(municipality=alert.municipality, status=alert.status, sent_at__gt=alert.sent_at,
                                 telegram__isnull=False).exclude(msg_type=Alert.MsgType.CANCEL)
    family = parsed.message_type.family
    if family == catalogue.TSUNAMI:
        return newer.filter(category=Alert.Category.TSUNAMI, type_code=parsed.message_type.code)
    if family == catalogue.RIVER:
        return newer.filter(type_code=parsed.message_type.code, event_id=parsed.event_id)
    return newer.filter(type_code=parsed.message_type.code)


def _may_replace(state: WarningState, alert: Alert) -> bool:
    if alert.sent_at > state.report_at:
        return True
    return alert.sent_at == state.report_at and alert.msg_type == Alert.MsgType.UPDATE


def _withdraw(alert: Alert, is_drill: bool) -> None:
    """取消: the states set by the withdrawn telegram (the newest earlier one of the series) are removed."""
    withdrawn = _earlier_alerts_of(alert).first()
    if withdrawn is None:
        return
    alert.references.add(withdrawn)
    WarningState.objects.filter(alert=withdrawn, is_drill=is_drill).delete()
    _restore_predecessor(withdrawn, is_drill)


def _restore_predecessor(withdrawn: Alert, is_drill: bool) -> None:
    """After a 取消, what the series said before the withdrawn telegram is in force again (for the areas the
    withdrawn telegram had set), unless it was withdrawn too."""
    for previous in _earlier_alerts_of(withdrawn):
        if previous.referenced_by.filter(msg_type=Alert.MsgType.CANCEL).exists():
            continue
        if previous.telegram is None:
            return
        parsed = parse_telegram(previous.telegram.body.encode("utf-8"), source_name=previous.telegram.url)
        if parsed.message_type.family in STATEFUL_FAMILIES:
            matches = matching_areas(parsed, withdrawn.municipality.jma_codes)
            _set_states(previous, parsed, {m.area for m in matches}, is_drill, only_vacant=True)
        return


def _earlier_alerts_of(alert: Alert):
    return (Alert.objects.filter(source=alert.source, title=alert.title, sender=alert.sender,
                                 event_id=alert.event_id, sent_at__lte=alert.sent_at)
            .exclude(pk=alert.pk).exclude(msg_type=Alert.MsgType.CANCEL).order_by("-sent_at", "-id"))


# --- Level and severity ------------------------------------------------------------------------------------

def _max_level(parsed: ParsedTelegram, matched_areas: set) -> int | None:
    levels = [kind.level for item in parsed.warnings if set(item.areas) & matched_areas
              for kind in item.kinds if kind.level is not None and kind.status in IN_FORCE]
    levels += [v.kind.level for v in parsed.volcano_items if v.kind.level is not None]
    return max(levels, default=None)


LANDSLIDE_ALERT = "VXWW50"
_INTENSITY_ORDER = ("1", "2", "3", "4", "5-", "5+", "6-", "6+", "7")


def local_intensity(parsed: ParsedTelegram, matched_areas: set) -> str:
    """The strongest intensity observed (or, for an EEW, forecast) in the municipality's own areas: what the
    severity for its people follows, not the national maximum."""
    # 震度５弱以上未入電: not received yet, but 5弱 or more is what it may be.
    found = ["5-" if "未入電" in i.intensity else i.intensity for i in parsed.intensities if i.area in matched_areas]
    for forecast in parsed.forecast_intensities:
        if forecast.area in matched_areas:
            found.append(forecast.lowest if forecast.highest == "over" else forecast.highest)
    ranked = [value for value in found if value in _INTENSITY_ORDER]
    return max(ranked, key=_INTENSITY_ORDER.index, default="")


_INTENSITY_SEVERITY = {"7": "Extreme", "6+": "Extreme", "6-": "Extreme", "5+": "Severe", "5-": "Severe",
                       "4": "Moderate"}


_TSUNAMI_LIFTED = ("50", "60")  # 警報解除, 津波注意報解除
_TSUNAMI_WARNING_OR_ADVISORY = ("51", "52", "53", "62")
_TSUNAMI_FORECAST = ("71", "72", "73")


def _tsunami_lifted(forecast) -> bool:
    """解除, or a warning or advisory downgraded to a mere forecast (若干の海面変動): lifted for the reader."""
    code = forecast.category.code
    last = forecast.last_category.code if forecast.last_category else ""
    return code in _TSUNAMI_LIFTED or (code in _TSUNAMI_FORECAST and last in _TSUNAMI_WARNING_OR_ADVISORY)


def is_all_clear(parsed: ParsedTelegram, matched_areas: set) -> bool:
    """The telegram only lifts, for the municipality: every warning kind it gives for the municipality's areas is
    解除 and none is in force, or every tsunami region of the municipality is lifted. CAP calls it an AllClear."""
    kinds = [kind for item in parsed.warnings if set(item.areas) & matched_areas for kind in item.kinds]
    regions = [f for f in parsed.tsunami_forecasts if f.area in matched_areas]
    if not kinds and not regions:
        return False
    return (all(kind.status == "解除" for kind in kinds) and all(_tsunami_lifted(f) for f in regions))


def severity_of(parsed: ParsedTelegram, matched_areas: set) -> str:
    """CAP severity (reference §7.2): 特別警報/大津波警報 Extreme, 警報 Severe, 注意報 Moderate, others Minor. What is
    lifted counts for nothing: a telegram that only lifts is Minor."""
    names = [kind.name for item in parsed.warnings if set(item.areas) & matched_areas for kind in item.kinds
             if kind.status in IN_FORCE]
    names += [f.category.name for f in parsed.tsunami_forecasts if f.area in matched_areas and not _tsunami_lifted(f)]
    if is_all_clear(parsed, matched_areas):
        return "Minor"
    if any("特別警報" in n or "大津波警報" in n for n in names):
        return "Extreme"
    if parsed.message_type.code == LANDSLIDE_ALERT and names:
        return "Severe"  # 土砂災害警戒情報: its kind is named only 「警戒」 (Level 4)
    if any("警報" in n for n in names) or any("警戒情報" in n or "氾濫危険" in n or "氾濫発生" in n for n in names):
        return "Severe"
    if parsed.message_type.family in (catalogue.EARTHQUAKE, catalogue.EEW):
        return _INTENSITY_SEVERITY.get(local_intensity(parsed, matched_areas), "Minor")
    if any("注意報" in n for n in names):
        return "Moderate"
    return "Minor" if names or parsed.message_type.city_relevant else "Unknown"


# --- Expiry ------------------------------------------------------------------------------------------------

def expire_states(*, now=None) -> int:
    """Remove the states past their ValidDateTime (a 津波予報（若干の海面変動） ends with no telegram saying so) and
    republish the 軽量版 when a public one went. Idempotent; run every minute by the scheduler. The selectors
    already leave expired states out, so pages are right before this runs; the 軽量版 is static and needs it."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = WarningState.objects.filter(expires_at__lte=now)
        public = sorted(set(expired.filter(is_drill=False, alert__status=Alert.Status.ACTUAL)
                            .values_list("municipality_id", flat=True)))
        summary = list(expired.values_list("area_code", "kind_code", "system"))
        if not summary:
            return 0
        expired.delete()
        audit.record(actor=None, action="alerts.expire_states",
                     changes={"expired": [":".join(row) for row in summary][:50], "count": len(summary)})
        for municipality_id in public:  # the portal republishes the 軽量版
            publish(events.PUBLIC_SITUATION_CHANGED, municipality_id=municipality_id)
    return len(summary)
