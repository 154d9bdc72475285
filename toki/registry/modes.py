"""Which consent mode is in force: the ConsentMode record of the day (models_mode.py), else the setting."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.registry import conf
from toki.registry.models import RecipientClass
from toki.registry.models_mode import ConsentMode
from toki.registry.permissions import may_keep_register

Mode = ConsentMode.Mode
PLAIN_MODES = (Mode.OPT_IN, Mode.OPT_OUT, Mode.PRESUMED, Mode.NOT_REQUIRED)


def mode_in_force(on: date | None = None) -> ConsentMode | None:
    """The record in force on `on` (today by default): the latest start on or before it, the latest recorded
    first when two start on the same day. None when no record has been made (the setting answers)."""
    on = on or timezone.localdate()
    return ConsentMode.objects.filter(starts_on__lte=on).order_by("-starts_on", "-id").first()


def consent_mode_for(recipient_class: str, on: date | None = None) -> str:
    """The mode for normal-times sharing with this recipient class on `on`."""
    record = mode_in_force(on)
    return conf.consent_mode_for(recipient_class) if record is None else record.mode_for(recipient_class)


def setting_mode() -> str:
    """The TOKI_REGISTRY_CONSENT_MODE setting (what answers while no record exists)."""
    return str(conf._raw("TOKI_REGISTRY_CONSENT_MODE") or Mode.OPT_IN)


def history() -> list[ConsentMode]:
    return list(ConsentMode.objects.select_related("changed_by").order_by("-starts_on", "-id"))


def _checked(mode: str, class_modes: dict, ordinance: str, reason: str) -> dict:
    """The record's values, or ValueError naming the field and what is wrong."""
    if mode not in Mode.values:
        raise ValueError(f"mode: one of {', '.join(Mode.values)}")
    class_modes = dict(class_modes or {}) if mode == Mode.MIXED else {}
    for recipient_class, class_mode in class_modes.items():
        if recipient_class not in RecipientClass.values:
            raise ValueError(f"class_modes: {recipient_class!r} is not a recipient class")
        if class_mode not in PLAIN_MODES:
            raise ValueError(f"class_modes: {recipient_class} takes one of {', '.join(PLAIN_MODES)}")
    needs_ordinance = mode not in (Mode.OPT_IN, Mode.MIXED) or any(m != Mode.OPT_IN for m in class_modes.values())
    if needs_ordinance and not ordinance.strip():
        # 第49条の11第2項: only an ordinance (条例に特別の定め) lifts the consent the statute requires.
        raise ValueError("ordinance: anything but opt-in needs the ordinance that allows it (name and number)")
    if len(ordinance) > 200:
        raise ValueError("ordinance: at most 200 characters")
    if not reason.strip():
        raise ValueError("reason: say why the mode changes")
    if len(reason) > 1000:
        raise ValueError("reason: at most 1,000 characters")
    return {"mode": mode, "class_modes": class_modes, "ordinance": ordinance.strip(), "reason": reason.strip()}


@transaction.atomic
def change_consent_mode(*, actor, mode: str, starts_on: date, reason: str, ordinance: str = "",
                        class_modes: dict | None = None) -> ConsentMode:
    """Record a new mode in force from `starts_on` (today or later: a change never rewrites the basis of looks
    already logged). An audited act; the earlier records stay as the history."""
    if actor is None or not may_keep_register(actor):
        raise PermissionDenied("only registry officers change the consent mode")
    values = _checked(mode, class_modes or {}, ordinance or "", reason or "")
    if starts_on < timezone.localdate():
        raise ValueError("starts_on: a new mode starts today or later")
    before = consent_mode_for(RecipientClass.MINSEI, starts_on)
    record = ConsentMode.objects.create(**values, starts_on=starts_on, changed_by=actor, changed_at=timezone.now())
    audit.record(actor=actor, action="registry.consent_mode_changed", obj=record, changes={
        "mode": record.mode, "class_modes": record.class_modes, "starts_on": starts_on.isoformat(),
        "before": before})
    return record


def seed_from_setting(*, on: date) -> ConsentMode | None:
    """The setting (or the statute's opt-in when unset) as the first record, for the demo: only when there is no
    record yet. Migration 0009 does the same for a site that set the setting."""
    if ConsentMode.objects.exists():
        return None
    mode = setting_mode()
    class_modes = dict(conf._pairs("TOKI_REGISTRY_CONSENT_MODES")) if mode == Mode.MIXED else {}
    record = ConsentMode.objects.create(
        mode=mode, class_modes=class_modes, starts_on=on, changed_at=timezone.now(),
        reason="TOKI_REGISTRY_CONSENT_MODE (the setting) as the first record")
    audit.record(actor=None, action="registry.consent_mode_seeded", obj=record, changes={"mode": mode})
    return record
