"""Permission-scoped reads about accounts. Permission is part of the query (DESIGN.md rule 4)."""

from django.db.models import QuerySet

from toki.accounts.models import ROLE_RANK, AuditEvent, Membership, OrgUnit, Role


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


def can_view_audit(user) -> bool:
    """The audit trail is for HQ administrators (and superusers)."""
    return has_role(user, Role.ADMIN, kinds=(OrgUnit.Kind.HQ,))


def audit_events_for(user, *, action: str = "", object_type: str = "", actor: str = "",
                     date_from=None, date_to=None) -> QuerySet[AuditEvent]:
    """Audit events `user` may browse, filtered; empty for anyone who may not."""
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
