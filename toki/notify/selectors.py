"""Reads of the delivery outbox, scoped by the user: HQ staff only; anyone else gets nothing (a 404)."""

from django.db.models import Count, Q, QuerySet

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role
from toki.notify.models import DeliveryBatch, DeliveryState, Notification, Subscriber


def may_view_deliveries(user) -> bool:
    return has_role(user, Role.VIEWER, kinds=(OrgUnit.Kind.HQ,))


def may_retry_deliveries(user) -> bool:
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ,))


def may_manage_test_audience(user) -> bool:
    """See and change who receives drills and tests: HQ editors and admins."""
    return has_role(user, Role.EDITOR, kinds=(OrgUnit.Kind.HQ,))


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
