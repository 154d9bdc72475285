"""Changes to subscribers: LINE follow/unfollow, and the 受信設定 (language, resident or visitor, districts,
categories) chosen in LINE or on the one-time settings page.

Each action runs in one transaction with an AuditEvent whose actor is None (the subscriber or the system). The
audit changes name fields and ids only: never the LINE user id, and not what a subscriber chose (where someone
wants alerts for is about them).
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.accounts.models import AuditEvent
from toki.areas.models import District
from toki.notify.models import MAX_DISTRICTS, Category, Channel, Subscriber

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
SETTINGS_LINK_USED = "notify.settings_link_used"


class SettingsLinkUsed(Exception):
    """The one-time settings link was used before."""


def follow_line_user(*, municipality, user_id: str) -> tuple[Subscriber, bool]:
    """A LINE user added the account as a friend (or unblocked it): create or reactivate their subscriber.

    Returns (subscriber, created). A returning friend keeps the settings they chose before."""
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            channel=Channel.LINE, address=user_id, defaults={"municipality": municipality})
        was_active = subscriber.is_active
        subscriber.is_active, subscriber.followed_at, subscriber.unfollowed_at = True, timezone.now(), None
        subscriber.save(update_fields=["is_active", "followed_at", "unfollowed_at", "updated_at"])
        audit.record(actor=None, action="notify.subscriber_followed", obj=subscriber,
                     changes={"channel": Channel.LINE, "created": created,
                              **({} if created else {"is_active": [was_active, True]})})
    return subscriber, created


def unfollow_line_user(*, user_id: str) -> Subscriber | None:
    """A LINE user blocked the account: nothing more is sent to them. None if they were never a subscriber."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(channel=Channel.LINE, address=user_id).first()
        if subscriber is None:
            return None
        was_active = subscriber.is_active
        subscriber.is_active, subscriber.unfollowed_at = False, timezone.now()
        subscriber.save(update_fields=["is_active", "unfollowed_at", "updated_at"])
        audit.record(actor=None, action="notify.subscriber_unfollowed", obj=subscriber,
                     changes={"channel": Channel.LINE, "is_active": [was_active, False]})
    return subscriber


def addresses_gone(*, subscriber_ids: list[int], channel: str) -> int:
    """A channel answered that these subscribers' addresses no longer exist (Web Push: 404/410, the browser
    unsubscribed or the subscription expired): nothing more is planned for them. Channel-neutral; called by the
    outbox when it records a send (actions.sending). Returns how many were active."""
    if not subscriber_ids:
        return 0
    with transaction.atomic():
        gone = list(Subscriber.objects.select_for_update().filter(pk__in=subscriber_ids, is_active=True))
        now = timezone.now()
        for subscriber in gone:
            subscriber.is_active, subscriber.unfollowed_at = False, now
            subscriber.save(update_fields=["is_active", "unfollowed_at", "updated_at"])
            audit.record(actor=None, action="notify.subscriber_gone", obj=subscriber,
                         changes={"channel": channel, "is_active": [True, False]})
    return len(gone)


def ensure_line_subscriber(*, municipality, user_id: str) -> Subscriber:
    """The subscriber of a LINE user who writes to the account. A friend from before Toki listened to the webhook
    has no row yet: they are a friend (only friends can write), so they become an active subscriber with the
    defaults."""
    subscriber = Subscriber.objects.filter(channel=Channel.LINE, address=user_id).first()
    if subscriber is not None and subscriber.is_active:
        return subscriber
    # No row, or marked as blocked although they write to us (their follow event was lost): a friend again.
    return follow_line_user(municipality=municipality, user_id=user_id)[0]


def _validated(subscriber: Subscriber, *, language, audience, all_districts, district_codes, categories) -> dict:
    errors, values = {}, {}
    if language is not None:
        if language not in LANGUAGE_CODES:
            errors["language"] = f"choose one of {', '.join(LANGUAGE_CODES)}"
        values["language"] = language
    if audience is not None:
        if audience not in Subscriber.Audience.values:
            errors["audience"] = f"choose one of {', '.join(Subscriber.Audience.values)}"
        values["audience"] = audience
    if categories is not None:
        unknown = set(categories) - set(Category.values)
        categories = [c for c in Category.values if c in set(categories)]  # canonical order, no duplicates
        if unknown:
            errors["categories"] = "unknown category"
        elif not categories:
            errors["categories"] = "choose at least one kind of information"
        values["categories"] = categories
    if all_districts is not None:
        values["all_districts"] = bool(all_districts)
    if district_codes is not None:
        codes = list(dict.fromkeys(district_codes))
        districts = list(District.objects.filter(municipality_id=subscriber.municipality_id, code__in=codes))
        if len(districts) != len(codes):
            errors["districts"] = "unknown district"
        elif len(districts) > MAX_DISTRICTS:
            errors["districts"] = f"choose at most {MAX_DISTRICTS} districts, or all of the municipality"
        values["districts"] = districts
    if values.get("all_districts") is False and "districts" in values and not values["districts"]:
        errors["districts"] = "choose at least one district, or all of the municipality"
    if errors:
        raise ValidationError(errors)
    return values


def update_subscription(*, subscriber: Subscriber, via: str, language: str | None = None,
                        audience: str | None = None, all_districts: bool | None = None,
                        district_codes: list[str] | None = None, categories: list[str] | None = None) -> Subscriber:
    """Change what `subscriber` receives; arguments left None stay as they are. Takes effect at once: the next
    delivery plan reads these fields. `via` is "line" or "web" (recorded in the audit event).

    Raises ValidationError naming the field: an unknown language/audience/category/district, no category, more
    than three districts, or neither a district nor all of the municipality."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        changed = _apply(subscriber, _validated(subscriber, language=language, audience=audience,
                                                all_districts=all_districts, district_codes=district_codes,
                                                categories=categories))
        if changed:
            audit.record(actor=None, action="notify.subscription_updated", obj=subscriber,
                         changes={"fields": changed, "via": via})
    return subscriber


def _apply(subscriber: Subscriber, values: dict) -> list[str]:
    changed = []
    for field in ("language", "audience", "all_districts", "categories"):
        if field in values and getattr(subscriber, field) != values[field]:
            setattr(subscriber, field, values[field])
            changed.append(field)
    if changed:
        subscriber.save(update_fields=[*changed, "updated_at"])
    if "districts" in values:
        before = set(subscriber.districts.values_list("pk", flat=True))
        if before != {d.pk for d in values["districts"]}:
            subscriber.districts.set(values["districts"])
            changed.append("districts")
    return changed


def link_digest(nonce: str) -> str:
    """What the audit trail keeps of a settings link's nonce: enough to recognise it, not to rebuild it."""
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()[:32]


def settings_link_was_used(subscriber_id: int, nonce: str) -> bool:
    return AuditEvent.objects.filter(action=SETTINGS_LINK_USED, object_type="notify.subscriber",
                                     object_id=str(subscriber_id), changes__link=link_digest(nonce)).exists()


def save_settings_from_link(*, subscriber: Subscriber, nonce: str, **choices) -> Subscriber:
    """The settings page's form, sent with a one-time link: apply `choices` (as for update_subscription) and
    record the link as used, both or neither. Raises SettingsLinkUsed if it was used before (also when two
    submissions race: the subscriber row is locked first)."""
    with transaction.atomic():
        Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
        if settings_link_was_used(subscriber.pk, nonce):
            raise SettingsLinkUsed
        subscriber = update_subscription(subscriber=subscriber, via="web", **choices)
        audit.record(actor=None, action=SETTINGS_LINK_USED, obj=subscriber, changes={"link": link_digest(nonce)})
    return subscriber
