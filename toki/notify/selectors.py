"""Reads of the delivery outbox, scoped by the user: HQ staff only; anyone else gets nothing (a 404). And the
subscribers the LINE conversation reads (not staff-scoped: a signed link or the system)."""

from django.db.models import Count, Q, QuerySet

from toki.notify.models import Channel, DeliveryBatch, DeliveryState, Notification, Subscriber
from toki.notify.permissions import may_manage_test_audience, may_view_deliveries


def test_audience(user, municipality) -> QuerySet[Subscriber]:
    """The active members of the test audience (none for a user who may not manage it), oldest first."""
    if not may_manage_test_audience(user) or municipality is None:
        return Subscriber.objects.none()
    return (Subscriber.objects.filter(municipality=municipality, is_test_audience=True, is_active=True)
            .order_by("followed_at", "pk"))


def _count(state):
    return Count("deliveries", filter=Q(deliveries__state=state))


def notifications_for(user, municipality) -> QuerySet[Notification]:
    """Notifications with their delivery counts per state, newest first (one query)."""
    if not may_view_deliveries(user) or municipality is None:
        return Notification.objects.none()
    return (Notification.objects.filter(municipality=municipality)
            .annotate(n_accepted=_count(DeliveryState.ACCEPTED), n_failed=_count(DeliveryState.FAILED),
                      n_dead=_count(DeliveryState.DEAD),
                      n_pending=Count("deliveries", filter=Q(deliveries__state__in=(DeliveryState.PLANNED,
                                                                                    DeliveryState.SENDING))))
            .order_by("-planned_at", "-id"))


def get_notification_for_user(user, municipality, pk: int) -> Notification:
    return notifications_for(user, municipality).get(pk=pk)


def problem_batches_for(user, municipality, notification=None) -> QuerySet[DeliveryBatch]:
    """Dead and failed batches: what staff must look at and may send again."""
    if not may_view_deliveries(user) or municipality is None:
        return DeliveryBatch.objects.none()
    batches = DeliveryBatch.objects.filter(notification__municipality=municipality,
                                           state__in=(DeliveryState.DEAD, DeliveryState.FAILED))
    if notification is not None:
        batches = batches.filter(notification=notification)
    return batches.select_related("notification").defer("messages").order_by("-id")


def batches_of(user, notification) -> QuerySet[DeliveryBatch]:
    if not may_view_deliveries(user):
        return DeliveryBatch.objects.none()
    return notification.batches.defer("messages").order_by("id")


# --- Reads for the LINE conversation (toki.linebot): not staff-scoped ------------------------------------------

def line_subscriber(subscriber_id: int) -> Subscriber | None:
    """The active LINE subscriber a settings link names, with its municipality (the link's signature is the
    permission: toki.linebot.settings_link), or None."""
    return (Subscriber.objects.filter(pk=subscriber_id, channel=Channel.LINE, is_active=True)
            .select_related("municipality").first())


def tourist_line_user_ids() -> list[str]:
    """The LINE user ids of the active tourist subscribers (their rich menu is linked one by one)."""
    return list(Subscriber.objects.filter(channel=Channel.LINE, is_active=True,
                                          audience=Subscriber.Audience.TOURIST).values_list("address", flat=True))


def webpush_public_key() -> str:
    """The VAPID application server key (base64url of the uncompressed P-256 point) browsers subscribe with:
    `PushManager.subscribe({applicationServerKey})`. "" when Web Push is not configured (docs/webpush.md)."""
    from toki.notify.webpush import vapid

    try:
        return vapid.public_key(vapid.from_settings())
    except vapid.NotConfigured:
        return ""
