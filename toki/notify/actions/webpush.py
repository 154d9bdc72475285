"""Web Push subscriptions (docs/webpush.md): a browser (the household tablet, a phone) registers the
PushSubscription it got from `PushManager.subscribe()` with the districts and language it wants; planning then
sends it the announcements of those districts (toki.notify.webpush.transport).

The contract the household app codes against (issue 17): `register_subscription`, `unregister_subscription`, and
`toki.notify.selectors.webpush_public_key()`. Each change runs in one transaction with an AuditEvent whose actor is
None (the browser); the audit names fields and ids, never the endpoint or keys (personal data).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from toki.accounts import audit
from toki.notify.actions.subscriptions import _apply, _validated
from toki.notify.models import Channel, Subscriber
from toki.notify.webpush import subscription as push_subscription


def _find(endpoint: str, *, lock: bool = False) -> Subscriber | None:
    """The subscriber whose address is for `endpoint` (the address starts with it; compared exactly)."""
    rows = Subscriber.objects.filter(channel=Channel.WEBPUSH,
                                     address__startswith=push_subscription.address_prefix(endpoint))
    if lock:
        rows = rows.select_for_update()
    for subscriber in rows:
        try:
            if push_subscription.from_address(subscriber.address).endpoint == endpoint:
                return subscriber
        except ValueError:
            continue
    return None


def register_subscription(*, municipality, subscription: dict, district_codes: list[str],
                          language: str) -> Subscriber:
    """Register (or renew) the browser's push subscription for the alerts of `district_codes` (at most three; none
    means the whole municipality) in `language`. Idempotent on the endpoint: registering it again updates its
    keys, districts and language and reactivates it. A resident subscriber, every category.

    Raises ValidationError naming the field: "subscription" (not an object), "subscription.endpoint" (missing, not
    https, not a known push service), "subscription.keys", "subscription.keys.p256dh", "subscription.keys.auth"
    (missing, not base64url, wrong length, not a P-256 point), "language", "districts"."""
    parsed = push_subscription.parse(subscription)
    codes = list(dict.fromkeys(district_codes or []))
    try:
        return _register(municipality, parsed, codes, language)
    except IntegrityError:
        # The same browser registered twice at once and the other request created the row first: update it.
        return _register(municipality, parsed, codes, language)


def _register(municipality, parsed, codes: list[str], language: str) -> Subscriber:
    with transaction.atomic():
        found = _find(parsed.endpoint, lock=True)
        created = found is None
        subscriber = found if found is not None else Subscriber(municipality=municipality, channel=Channel.WEBPUSH)
        if not created and subscriber.municipality_id != municipality.pk:
            raise ValidationError({"subscription.endpoint": "registered with another municipality"})
        values = _validated(subscriber, language=language, audience=Subscriber.Audience.RESIDENT,
                            all_districts=not codes, district_codes=codes, categories=None)
        was_active = subscriber.is_active
        subscriber.address = parsed.as_address()
        subscriber.is_active, subscriber.unfollowed_at = True, None
        if created or not was_active:
            subscriber.followed_at = timezone.now()
        subscriber.save()
        changed = _apply(subscriber, values)
        audit.record(actor=None, action="notify.webpush_registered", obj=subscriber,
                     changes={"channel": Channel.WEBPUSH, "created": created, "fields": changed,
                              **({} if created or was_active else {"is_active": [False, True]})})
    return subscriber


def unregister_subscription(*, endpoint: str) -> bool:
    """The browser unsubscribed (or the household signed out): nothing more is sent to `endpoint`. True if an
    active subscriber was deactivated, False if there was none (unknown endpoint, or inactive already)."""
    if not isinstance(endpoint, str) or not endpoint:
        raise ValidationError({"endpoint": "missing"})
    with transaction.atomic():
        subscriber = _find(endpoint, lock=True)
        if subscriber is None or not subscriber.is_active:
            return False
        subscriber.is_active, subscriber.unfollowed_at = False, timezone.now()
        subscriber.save(update_fields=["is_active", "unfollowed_at", "updated_at"])
        audit.record(actor=None, action="notify.webpush_unregistered", obj=subscriber,
                     changes={"channel": Channel.WEBPUSH, "is_active": [True, False]})
    return True
