"""Reads for views (scoped: residents read their own holder; staff through permissions)."""

from django.http import Http404
from django.utils import timezone

from toki.accounts import audit
from toki.transport.fares.models import Credential, Holder, Purchase, QuasiApplication
from toki.transport.fares.permissions import may_check, may_review


def holder_of_session(session) -> Holder | None:
    holder_id = session.get("fares_holder")
    if not isinstance(holder_id, int):
        return None
    return Holder.objects.filter(pk=holder_id).first()


def card_of(holder: Holder) -> Credential | None:
    """The holder's current resident card, if one was issued for the present residency period."""
    now = timezone.now()
    if holder.expires_at is None:
        return None
    return (holder.credentials.filter(kind=Credential.Kind.CARD, revoked_at__isnull=True, valid_until__gt=now,
                                      valid_until=holder.expires_at).order_by("-issued_at").first())


def passes_of(holder: Holder) -> list[Credential]:
    return list(holder.credentials.filter(purchase__isnull=False, revoked_at__isnull=True,
                                          valid_until__gt=timezone.now())
                .select_related("holder").order_by("valid_until"))


def purchase_of_holder(holder: Holder, public_id) -> Purchase:
    purchase = holder.purchases.filter(public_id=public_id).first()
    if purchase is None:
        raise Http404
    return purchase


def pending_applications(user) -> list[QuasiApplication]:
    if not may_review(user):
        raise Http404
    return list(QuasiApplication.objects.filter(status=QuasiApplication.Status.PENDING).order_by("created_at"))


def recent_purchases(user, limit: int = 50) -> list[Purchase]:
    if not may_review(user):
        raise Http404
    return list(Purchase.objects.order_by("-created_at")[:limit])


def application_for_review(user, pk: int) -> QuasiApplication:
    if not may_review(user):
        raise Http404
    application = QuasiApplication.objects.filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def evidence_for_review(user, pk: int) -> QuasiApplication:
    """The application whose evidence a reviewer opens; every opening is audited."""
    application = application_for_review(user, pk)
    audit.record(actor=user, action="fares.quasi.evidence_read", obj=application, changes={})
    return application


def purchase_for_staff(user, pk: int) -> Purchase:
    if not may_review(user):
        raise Http404
    purchase = Purchase.objects.filter(pk=pk).first()
    if purchase is None:
        raise Http404
    return purchase


def revocation_list(user) -> list[str]:
    """jti of revoked credentials still within their validity (a checker device keeps them offline)."""
    if not may_check(user):
        raise Http404
    return [str(jti) for jti in Credential.objects.filter(revoked_at__isnull=False, valid_until__gt=timezone.now())
            .values_list("jti", flat=True)]
