"""Every change of the community app (DESIGN.md rules 2 and 3): one transaction, an AuditEvent, domain events.

Actions a tablet takes have no user: `acting_user` is None and the AuditEvent names the device in `changes`.
What a tablet reports about itself on every poll (last seen, app version, battery) is telemetry, written by
`note_device_seen` without an AuditEvent (one every few minutes per tablet would drown the trail)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from toki.accounts.audit import record
from toki.community import devices
from toki.community.events import CIRCULAR_PUBLISHED, SAFETY_REPLY_RECORDED, WATCH_FLAG_RAISED, publish_event
from toki.community.models import (
    ActiveDay,
    Attachment,
    Attendance,
    Device,
    EnrolmentCode,
    HelpNote,
    Household,
    Item,
    Member,
    Receipt,
    SafetyReply,
    WatchFlag,
    WellnessTap,
)
from toki.community.permissions import is_city_staff, may_publish

ENROLMENT_HOURS = 24
SEEN_WRITE_EVERY = timedelta(minutes=5)  # last_seen_at is rewritten at most this often per device
USE_WRITE_EVERY = timedelta(minutes=10)
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def _require(condition: bool, message: str = "not allowed") -> None:
    if not condition:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(message)


def create_household(*, acting_user, municipality, district, label: str, jichikai=None, han=None,
                     watch_over: bool = False, watch_hours: int = 24, resident_name: str = "") -> Household:
    _require(acting_user is None or is_city_staff(acting_user))
    label = label.strip()
    if not label:
        raise ValidationError({"label": "the household needs a name"})
    if han is not None and han.jichikai_id != getattr(jichikai, "pk", None):
        raise ValidationError({"han": "the 班 is not in that 自治会"})
    if not 1 <= watch_hours <= 24 * 7:
        raise ValidationError({"watch_hours": "between 1 and 168 hours"})
    with transaction.atomic():
        household = Household.objects.create(municipality=municipality, district=district, label=label,
                                             jichikai=jichikai, han=han, watch_over=watch_over,
                                             watch_hours=watch_hours)
        if resident_name.strip():
            Member.objects.create(household=household, name=resident_name.strip()[:100])
        record(actor=acting_user, action="community.household_created", obj=household,
               changes={"district_id": district.pk, "jichikai_id": getattr(jichikai, "pk", None)})
    return household


def set_watch_over(*, acting_user, household: Household, watch_over: bool, watch_hours: int) -> Household:
    _require(is_city_staff(acting_user))
    if not 1 <= watch_hours <= 24 * 7:
        raise ValidationError({"watch_hours": "between 1 and 168 hours"})
    with transaction.atomic():
        Household.objects.filter(pk=household.pk).update(watch_over=watch_over, watch_hours=watch_hours)
        if not watch_over:
            WatchFlag.objects.filter(household=household, resolved_at=None).update(
                resolved_at=timezone.now(), resolved_by=acting_user, resolution="watch-over switched off")
        record(actor=acting_user, action="community.watch_over_set", obj=household,
               changes={"watch_over": watch_over, "watch_hours": watch_hours})
    household.watch_over, household.watch_hours = watch_over, watch_hours
    return household


def create_enrolment_code(*, acting_user, household: Household, family_name: str = "",
                          device: Device | None = None) -> tuple[EnrolmentCode, str]:
    """A one-time QR for the household's tablet, or (with `family_name`) for a family member's own phone. Made by
    city staff, or by the household itself from its tablet (`device`, family codes only). Returns the secret once."""
    if device is not None:  # the household's own tablet (not a family phone) invites family
        _require(device.household_id == household.pk and not device.is_family and bool(family_name.strip()))
    else:
        _require(is_city_staff(acting_user))
    secret = devices.new_secret()
    with transaction.atomic():
        member = None
        if family_name.strip():
            member = Member.objects.create(household=household, name=family_name.strip()[:100], is_family=True)
        code = EnrolmentCode.objects.create(household=household, member=member, token_sha256=devices.digest(secret),
                                            expires_at=timezone.now() + timedelta(hours=ENROLMENT_HOURS))
        record(actor=acting_user, action="community.enrolment_code_created", obj=household,
               changes={"code_id": code.pk, "family": member is not None,
                        "by_device_id": device.pk if device else None})
    return code, secret


def enrol_device(*, token: str) -> tuple[Device, str]:
    """Use a one-time code: a new device of its household, and the secret for the device's cookie. A code used or
    expired raises ValidationError (the page says so)."""
    now = timezone.now()
    secret = devices.new_secret()
    with transaction.atomic():
        code = (EnrolmentCode.objects.select_for_update().select_related("household")
                .filter(token_sha256=devices.digest(token)).first())
        if code is None or code.used_at is not None or code.expires_at <= now:
            raise ValidationError("this QR code was already used or has expired; ask for a new one")
        code.used_at = now
        code.save(update_fields=["used_at"])
        device = Device.objects.create(household=code.household, member=code.member,
                                       token_sha256=devices.digest(secret), last_seen_at=now)
        record(actor=None, action="community.device_enrolled", obj=device,
               changes={"household_id": code.household_id, "code_id": code.pk, "family": code.member_id is not None})
    return device, secret


def sign_out_device(*, acting_user, device: Device) -> None:
    """Remote sign-out: the cookie opens nothing any more, and its push subscription is dropped."""
    _require(is_city_staff(acting_user))
    with transaction.atomic():
        Device.objects.filter(pk=device.pk, signed_out_at=None).update(signed_out_at=timezone.now())
        record(actor=acting_user, action="community.device_signed_out", obj=device,
               changes={"household_id": device.household_id})
        if device.push_endpoint:
            webpush = _webpush_actions()
            if webpush is not None:
                webpush.unregister_subscription(endpoint=device.push_endpoint)


def _webpush_actions():
    """The notify channel's web-push actions (ADR 0009); None while that channel is not installed."""
    from importlib import import_module

    try:
        return import_module("toki.notify.actions.webpush")
    except ImportError:
        return None


def note_push_endpoint(device: Device, endpoint: str) -> None:
    """The device's push subscription (its endpoint, to drop it at sign-out); telemetry, not audited."""
    Device.objects.filter(pk=device.pk).update(push_endpoint=endpoint[:1000])


def note_device_seen(device: Device, *, app_version: str = "", battery: int | None = None) -> None:
    """Telemetry from a poll: at most one write per device every SEEN_WRITE_EVERY (3,000 tablets polling every
    30 s would otherwise write 100 rows a second)."""
    now = timezone.now()
    if device.last_seen_at and now - device.last_seen_at < SEEN_WRITE_EVERY:
        return
    fields: dict[str, object] = {"last_seen_at": now}
    if app_version:
        fields["app_version"] = app_version[:40]
    if battery is not None and 0 <= battery <= 100:
        fields["battery"] = battery
    Device.objects.filter(pk=device.pk).update(**fields)


def note_household_used(device: Device) -> None:
    """Someone used the device (opened a page, tapped): the watch-over's sign and the KPI's active day."""
    household = device.household
    now = timezone.now()
    if household.last_used_at and now - household.last_used_at < USE_WRITE_EVERY:
        return
    with transaction.atomic():
        Household.objects.filter(pk=household.pk).update(last_used_at=now)
        ActiveDay.objects.get_or_create(household=household, day=timezone.localdate(now),
                                        defaults={"district_id": household.district_id})
    household.last_used_at = now


def _validate_attachment(upload) -> None:
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": f"{upload.name}: larger than 20 MB"})
    if upload.content_type not in ATTACHMENT_TYPES:
        raise ValidationError({"attachment": f"{upload.name}: only PDF, JPEG or PNG"})
    head = upload.read(8)
    upload.seek(0)
    if upload.content_type == "application/pdf" and not head.startswith(b"%PDF"):
        raise ValidationError({"attachment": f"{upload.name}: not a PDF file"})


def publish_item(*, acting_user, municipality, kind: str, title: str, body: str, jichikai=None, han=None,
                 event_at=None, attachments=()) -> Item:
    if kind not in Item.Kind.values:
        raise ValidationError({"kind": f"unknown kind {kind!r}"})
    _require(may_publish(acting_user, kind, jichikai))
    if kind != Item.Kind.NEWSLETTER and jichikai is None:
        raise ValidationError({"jichikai": "a circular or event notice goes to a 自治会"})
    if han is not None and han.jichikai_id != getattr(jichikai, "pk", None):
        raise ValidationError({"han": "the 班 is not in that 自治会"})
    if kind == Item.Kind.EVENT and event_at is None:
        raise ValidationError({"event_at": "an event notice needs its date and time"})
    if not title.strip() or not body.strip():
        raise ValidationError({"title": "title and text are required"})
    for upload in attachments:
        _validate_attachment(upload)
    with transaction.atomic():
        item = Item.objects.create(municipality=municipality, kind=kind, title=title.strip()[:200], body=body,
                                   jichikai=jichikai if kind != Item.Kind.NEWSLETTER else None,
                                   han=han, event_at=event_at, published_at=timezone.now(), published_by=acting_user)
        for upload in attachments:
            Attachment.objects.create(item=item, file=upload, name=upload.name[:200],
                                      content_type=upload.content_type, size=upload.size)
        record(actor=acting_user, action="community.item_published", obj=item,
               changes={"kind": kind, "jichikai_id": item.jichikai_id, "han_id": item.han_id,
                        "attachments": len(attachments)})
        publish_event(CIRCULAR_PUBLISHED, municipality.pk, item_id=item.pk)
    return item


def mark_seen(*, device: Device, item: Item) -> Receipt:
    """「見ました」 for the household (the first tap counts; later taps change nothing)."""
    with transaction.atomic():
        receipt, created = Receipt.objects.get_or_create(
            item=item, household_id=device.household_id,
            defaults={"member_id": device.member_id, "seen_at": timezone.now()})
        if created:
            record(actor=None, action="community.item_seen", obj=item,
                   changes={"household_id": device.household_id, "device_id": device.pk})
    return receipt


def answer_attendance(*, device: Device, item: Item, answer: str) -> Attendance:
    if item.kind != Item.Kind.EVENT or answer not in Attendance.Answer.values:
        raise ValidationError({"answer": "answer yes or no to an event notice"})
    with transaction.atomic():
        attendance, _created = Attendance.objects.update_or_create(
            item=item, household_id=device.household_id,
            defaults={"answer": answer, "answered_at": timezone.now()})
        record(actor=None, action="community.attendance_answered", obj=item,
               changes={"household_id": device.household_id, "device_id": device.pk, "answer": answer})
    return attendance


def record_safety_reply(*, device: Device, status: str, alert_key: str = "") -> SafetyReply:
    if status not in SafetyReply.Status.values:
        raise ValidationError({"status": "safe or help"})
    if len(alert_key) > 40:
        raise ValidationError({"alert": "unknown alert"})
    with transaction.atomic():
        reply = SafetyReply.objects.create(household_id=device.household_id, member_id=device.member_id,
                                           device=device, by_family=device.is_family, status=status,
                                           alert_key=alert_key, replied_at=timezone.now())
        record(actor=None, action="community.safety_reply_recorded", obj=reply,
               changes={"household_id": device.household_id, "device_id": device.pk, "status": status,
                        "family": reply.by_family, "alert": alert_key})
        publish_event(SAFETY_REPLY_RECORDED, device.household.municipality_id, reply_id=reply.pk,
                      household_id=device.household_id)
    return reply


def tap_well(*, device: Device) -> WellnessTap:
    """The morning 「元気です」: also resolves an open watch flag of the household."""
    now = timezone.now()
    with transaction.atomic():
        tap = WellnessTap.objects.create(household_id=device.household_id, at=now)
        WatchFlag.objects.filter(household_id=device.household_id, resolved_at=None).update(
            resolved_at=now, resolution="元気です tapped")
        record(actor=None, action="community.well_tapped", obj=device.household,
               changes={"device_id": device.pk})
    return tap


def add_help_note(*, acting_user, household: Household, text: str) -> HelpNote:
    _require(is_city_staff(acting_user))
    if not text.strip():
        raise ValidationError({"text": "the note is empty"})
    with transaction.atomic():
        note = HelpNote.objects.create(household=household, author=acting_user, text=text.strip()[:2000])
        record(actor=acting_user, action="community.help_note_added", obj=household, changes={"note_id": note.pk})
    return note


def resolve_watch_flag(*, acting_user, flag: WatchFlag, resolution: str) -> WatchFlag:
    if not resolution.strip():
        raise ValidationError({"resolution": "say what was done (called, visited …)"})
    with transaction.atomic():
        updated = WatchFlag.objects.filter(pk=flag.pk, resolved_at=None).update(
            resolved_at=timezone.now(), resolved_by=acting_user, resolution=resolution.strip()[:300])
        if updated:
            record(actor=acting_user, action="community.watch_flag_resolved", obj=flag.household,
                   changes={"flag_id": flag.pk})
    flag.refresh_from_db()
    return flag


def _last_sign(household: Household, last_tap):
    return max(t for t in (household.created_at, household.last_used_at, last_tap) if t is not None)


def sweep_watch_over(*, now=None) -> dict:
    """The periodic watch-over step (idempotent; two at once are safe through the one-open-flag constraint):
    no sign (a tap, a page opened) for a household's watch time → a message on its tablet; still none for the
    same time again → the 民生委員's call list; a sign since → resolved."""
    from django.db.models import Max

    now = now or timezone.now()
    counts = {"raised": 0, "escalated": 0, "resolved": 0}
    households = Household.objects.filter(watch_over=True).annotate(last_tap=Max("taps__at"))
    open_flags = {f.household_id: f for f in WatchFlag.objects.filter(resolved_at=None, household__watch_over=True)}
    for household in households:
        last = _last_sign(household, household.last_tap)
        window = timedelta(hours=household.watch_hours)
        flag = open_flags.get(household.pk)
        if flag is not None and last > flag.raised_at:
            with transaction.atomic():
                if WatchFlag.objects.filter(pk=flag.pk, resolved_at=None).update(
                        resolved_at=now, resolution="sign from the household"):
                    counts["resolved"] += 1
            continue
        if flag is None and now - last >= window:
            try:
                with transaction.atomic():
                    flag = WatchFlag.objects.create(household=household, stage=WatchFlag.Stage.MESSAGE,
                                                    raised_at=now)
                    record(actor=None, action="community.watch_flag_raised", obj=household,
                           changes={"flag_id": flag.pk, "stage": flag.stage})
                    publish_event(WATCH_FLAG_RAISED, household.municipality_id, flag_id=flag.pk,
                                  household_id=household.pk)
                counts["raised"] += 1
            except IntegrityError:
                pass  # another sweep raised it
        elif flag is not None and flag.stage == WatchFlag.Stage.MESSAGE and now - flag.raised_at >= window:
            with transaction.atomic():
                if WatchFlag.objects.filter(pk=flag.pk, stage=WatchFlag.Stage.MESSAGE).update(
                        stage=WatchFlag.Stage.CALL, escalated_at=now):
                    record(actor=None, action="community.watch_flag_escalated", obj=household,
                           changes={"flag_id": flag.pk})
                    publish_event(WATCH_FLAG_RAISED, household.municipality_id, flag_id=flag.pk,
                                  household_id=household.pk)
                    counts["escalated"] += 1
    return counts
