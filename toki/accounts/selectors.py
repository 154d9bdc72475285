"""Permission-scoped reads about accounts. Permission is part of the query (DESIGN.md rule 4)."""

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from toki.accounts.models import ROLE_RANK, AuditEvent, LoginThrottle, Membership, User


def memberships_of(user) -> list[Membership]:
    """The user's memberships, read once per request (the list is kept on the request's user object)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_toki_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).select_related("org_unit", "district")
            .defer("district__boundary").order_by("org_unit__name")
        )
        user._toki_memberships = cached
    return cached


def has_role(user, minimum_role: str, *, kinds: tuple[str, ...] | None = None, district=None) -> bool:
    """Does `user` hold at least `minimum_role` in an org unit of one of `kinds` (any kind when None),
    for `district` (a membership without a district covers every district)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for membership in memberships_of(user):
        if kinds is not None and membership.org_unit.kind not in kinds:
            continue
        if district is not None and membership.district_id not in (None, district.pk):
            continue
        if ROLE_RANK[membership.role] >= ROLE_RANK[minimum_role]:
            return True
    return False


def audit_events_for(user, *, action: str = "", object_type: str = "", actor: str = "",
                     date_from=None, date_to=None) -> QuerySet[AuditEvent]:
    """Audit events `user` may browse, filtered; empty for anyone who may not."""
    from toki.accounts.permissions import can_view_audit  # permissions reads has_role from here

    if not can_view_audit(user):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor")
    if action:
        events = events.filter(action__startswith=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if actor:
        events = events.filter(actor__username=actor)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")


def held_logins_for(user) -> list[dict]:
    """Accounts whose login is being held back now (a client or the account-wide counter waiting), for an admin
    who may lift it; empty for anyone else. Unknown usernames are not listed."""
    from toki.accounts.permissions import may_unlock_logins

    if not may_unlock_logins(user):
        return []
    now = timezone.now()
    held: dict[str, dict] = {}
    for row in LoginThrottle.objects.filter(locked_until__gt=now).order_by("username"):
        entry = held.setdefault(row.username, {"clients": 0, "account": False, "until": row.locked_until})
        entry["until"] = max(entry["until"], row.locked_until)
        if row.client == LoginThrottle.ACCOUNT:
            entry["account"] = True
        else:
            entry["clients"] += 1
    users = {u.username.lower(): u for u in User.objects.annotate(name=Lower("username")).filter(name__in=held)}
    return [{"user": users[name], **entry} for name, entry in held.items() if name in users]


def failed_logins_since(user, since) -> int:
    """Failed logins of `user`'s own account since `since` (their previous login), from the audit trail."""
    events = AuditEvent.objects.filter(action__in=("accounts.login_failed", "accounts.login_locked"),
                                       object_type=user._meta.label_lower, object_id=str(user.pk))
    return events.filter(at__gt=since).count() if since else events.count()


def get_account_to_unlock(user, pk) -> User:
    """The account whose login hold `user` may lift (HQ administrators: any account); anything else is a 404."""
    from toki.accounts.permissions import may_unlock_logins

    if not may_unlock_logins(user):
        raise Http404("no such account")
    try:
        return User.objects.get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("no such account") from None
