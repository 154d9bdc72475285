"""Every change in fares (DESIGN.md rule 2): one transaction, an AuditEvent in it, domain events for others.
Network calls to the payment provider happen outside the transaction (a slow provider never holds a lock); what
they change is written afterwards by these actions, idempotently (docs/fares.md "Payments")."""

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from toki.accounts import audit
from toki.areas.selectors import default_municipality
from toki.events.outbox import publish
from toki.transport.fares import credentials, events
from toki.transport.fares.conf import PRODUCTS, price_yen
from toki.transport.fares.models import Credential, Holder, ProviderEvent, Purchase, QuasiApplication
from toki.transport.fares.oidc import Verified
from toki.transport.fares.payments import PaymentEvent, get_provider
from toki.transport.fares.permissions import may_review

SINGLE_RIDE_VALID = timedelta(days=90)
PASS_DAYS = {"sub30": 30}


class NotAllowed(Exception):
    pass


class FaresError(Exception):
    """A request fares cannot carry out; the message says why (shown to the person, never personal data)."""


def _municipality_id() -> int:
    municipality = default_municipality()
    if municipality is None:
        raise FaresError("no municipality profile loaded")
    return municipality.pk


# --- residency ------------------------------------------------------------------------------------------------
def record_residency(*, verified: Verified, now: datetime | None = None) -> Holder:
    """Store what a verified My Number login proved: the pseudonym, the flag, the date, the expiry. An approved
    準住民 who is not (or no longer) registered on Sado keeps the approval until it ends."""
    now = now or timezone.now()
    with transaction.atomic():
        holder, created = Holder.objects.select_for_update().get_or_create(pseudonym=verified.pseudonym)
        if verified.is_resident:
            holder.is_resident, holder.basis = True, Holder.Basis.CARD
            holder.expires_at = now + timedelta(days=settings.TOKI_FARES_RESIDENCY_DAYS)
        elif not (holder.basis == Holder.Basis.QUASI and holder.eligible_at(now)):
            holder.is_resident, holder.expires_at = False, None
        holder.verified_at = now
        holder.save()
        audit.record(actor=None, action="fares.residency.verified", obj=holder,
                     changes={"resident": verified.is_resident, "created": created})
        publish(events.RESIDENCY_VERIFIED, municipality_id=_municipality_id(), holder_id=holder.pk)
    return holder


def apply_quasi(*, holder: Holder, category: str, evidence) -> QuasiApplication:
    if category not in QuasiApplication.Category.values:
        raise FaresError(f"category: unknown value {category!r}")
    with transaction.atomic():
        if holder.applications.filter(status=QuasiApplication.Status.PENDING).exists():
            raise FaresError("an application is already waiting for review")
        application = QuasiApplication.objects.create(holder=holder, category=category, evidence=evidence)
        audit.record(actor=None, action="fares.quasi.applied", obj=application, changes={"category": category})
    return application


def review_quasi(*, acting_user, application: QuasiApplication, approve: bool, valid_until=None) -> None:
    if not may_review(acting_user):
        raise NotAllowed("not a fares reviewer")
    today = timezone.localdate()
    if approve and (valid_until is None or valid_until <= today or valid_until > today + timedelta(days=366 * 2)):
        raise FaresError("valid_until: a date after today and at most two years ahead")
    with transaction.atomic():
        application = QuasiApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != QuasiApplication.Status.PENDING:
            raise FaresError("this application has already been reviewed")
        application.status = (QuasiApplication.Status.APPROVED if approve else QuasiApplication.Status.REJECTED)
        application.valid_until = valid_until if approve else None
        application.reviewed_by, application.reviewed_at = acting_user, timezone.now()
        application.save()
        if approve:
            holder = Holder.objects.select_for_update().get(pk=application.holder_id)
            end = timezone.make_aware(datetime.combine(valid_until, time.max))
            holder.is_resident, holder.basis, holder.expires_at = True, Holder.Basis.QUASI, end
            holder.verified_at = timezone.now()
            holder.save()
            publish(events.RESIDENCY_VERIFIED, municipality_id=_municipality_id(), holder_id=holder.pk)
        audit.record(actor=acting_user, action="fares.quasi.reviewed", obj=application,
                     changes={"approved": approve, "valid_until": valid_until.isoformat() if approve else None})


# --- credentials ----------------------------------------------------------------------------------------------
def _valid_until(kind: str, start: datetime, holder: Holder) -> datetime:
    if kind == Credential.Kind.CARD:
        if holder.expires_at is None:
            raise FaresError("residency is not verified or has expired: verify again")
        return holder.expires_at
    if kind == Credential.Kind.SUB30:
        return start + timedelta(days=PASS_DAYS["sub30"])
    if kind == Credential.Kind.DAY:  # until the end of the local day it starts
        return timezone.make_aware(datetime.combine(timezone.localdate(start), time.max))
    return start + SINGLE_RIDE_VALID


def issue_credential(*, holder: Holder, kind: str, purchase: Purchase | None = None,
                     now: datetime | None = None) -> tuple[Credential, str]:
    """A credential row and its signed token. The resident card needs a holder eligible now."""
    now = now or timezone.now()
    if kind == Credential.Kind.CARD and not holder.eligible_at(now):
        raise FaresError("residency is not verified or has expired: verify again")
    start = purchase.paid_at if purchase is not None and purchase.paid_at else now
    until = _valid_until(kind, start, holder)
    key = credentials.conf.signing_keys()[0]
    with transaction.atomic():
        credential = Credential.objects.create(holder=holder, purchase=purchase, kind=kind, kid=key.kid,
                                               issued_at=now, valid_until=until)
        audit.record(actor=None, action="fares.credential.issued", obj=credential, changes={"kind": kind})
    return credential, token_for(credential, key=key)


def token_for(credential: Credential, *, key=None) -> str:
    """The signed token of an issued credential (signed anew: the token is not stored)."""
    return credentials.sign(credentials.Claims(
        sub=str(credential.holder.public_id), kind=credential.kind, elig=True,
        exp=int(credential.valid_until.timestamp()), iat=int(credential.issued_at.timestamp()),
        jti=str(credential.jti)), key=key)


# --- payments -------------------------------------------------------------------------------------------------
def start_purchase(*, holder: Holder, product: str, success_url: str, cancel_url: str) -> tuple[Purchase, str]:
    """Record the purchase (pending), then ask the provider for a checkout; returns the payment page URL."""
    if product not in PRODUCTS:
        raise FaresError(f"product: unknown value {product!r}")
    if not holder.eligible_at(timezone.now()):
        raise FaresError("residency is not verified or has expired: verify again")
    provider = get_provider()
    with transaction.atomic():
        purchase = Purchase.objects.create(holder=holder, product=product, amount_yen=price_yen(product),
                                           discounted=True, provider=provider.name,
                                           idempotency_key=f"toki-{uuid.uuid4()}")
        audit.record(actor=None, action="fares.purchase.started", obj=purchase,
                     changes={"product": product, "amount": purchase.amount_yen})
    checkout = provider.create_checkout(purchase=purchase, success_url=success_url, cancel_url=cancel_url)
    Purchase.objects.filter(pk=purchase.pk, provider_session="").update(provider_session=checkout.session_id)
    purchase.provider_session = checkout.session_id
    return purchase, checkout.url


def handle_payment_event(*, provider_name: str, event: PaymentEvent) -> str:
    """Apply one provider event once (webhook or sweep): "applied", "duplicate", "ignored" or "unmatched"."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProviderEvent.objects.create(provider=provider_name, event_id=event.event_id, type=event.raw_type)
        except IntegrityError:
            return "duplicate"
        purchase = _purchase_of(provider_name, event)
        if event.type == "other":
            return "ignored"
        if purchase is None:
            audit.record(actor=None, action="fares.payment.unmatched", obj=None,
                         changes={"event": event.event_id, "type": event.raw_type})
            return "unmatched"
        if event.type == "paid":
            _paid(purchase, event)
        elif event.type == "expired" and purchase.status == Purchase.Status.PENDING:
            purchase.status = Purchase.Status.EXPIRED
            purchase.save(update_fields=["status"])
            audit.record(actor=None, action="fares.purchase.expired", obj=purchase, changes={})
        elif event.type == "refunded" and purchase.status == Purchase.Status.PAID:
            _refunded(purchase, actor=None)
    return "applied"


def _purchase_of(provider_name: str, event: PaymentEvent) -> Purchase | None:
    rows = Purchase.objects.select_for_update().filter(provider=provider_name)
    if event.purchase_ref:
        try:
            return rows.filter(public_id=uuid.UUID(event.purchase_ref)).first()
        except ValueError:
            return None
    if event.session_id:
        return rows.filter(provider_session=event.session_id).first()
    if event.payment_ref:
        return rows.filter(provider_payment=event.payment_ref).first()
    return None


def _paid(purchase: Purchase, event: PaymentEvent) -> None:
    if purchase.status != Purchase.Status.PENDING and purchase.status != Purchase.Status.EXPIRED:
        return  # paid already (the webhook and the sweep both saw it), or refunded
    if event.amount is not None and event.amount != purchase.amount_yen:
        audit.record(actor=None, action="fares.payment.amount_mismatch", obj=purchase,
                     changes={"event": event.event_id, "expected": purchase.amount_yen, "paid": event.amount})
        return
    purchase.status, purchase.paid_at = Purchase.Status.PAID, timezone.now()
    purchase.provider_payment = event.payment_ref or purchase.provider_payment
    purchase.provider_session = event.session_id or purchase.provider_session
    purchase.save()
    issue_credential(holder=purchase.holder, kind=purchase.product, purchase=purchase)
    audit.record(actor=None, action="fares.purchase.paid", obj=purchase, changes={"event": event.event_id})
    publish(events.PURCHASE_PAID, municipality_id=_municipality_id(), purchase_id=purchase.pk)


def _refunded(purchase: Purchase, *, actor) -> None:
    now = timezone.now()
    purchase.status, purchase.refunded_at = Purchase.Status.REFUNDED, now
    purchase.save(update_fields=["status", "refunded_at"])
    purchase.credentials.filter(revoked_at__isnull=True).update(revoked_at=now)
    audit.record(actor=actor, action="fares.purchase.refunded", obj=purchase, changes={})
    publish(events.PURCHASE_REFUNDED, municipality_id=_municipality_id(), purchase_id=purchase.pk)


def refund_purchase(*, acting_user, purchase: Purchase) -> None:
    """Refund at the provider (idempotent key derived from the purchase), then record it and revoke the pass."""
    if not may_review(acting_user):
        raise NotAllowed("not a fares reviewer")
    if purchase.status != Purchase.Status.PAID:
        raise FaresError("only a paid purchase can be refunded")
    get_provider(purchase.provider).refund(purchase=purchase, idempotency_key=f"refund-{purchase.idempotency_key}")
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
        if purchase.status == Purchase.Status.PAID:  # the refund webhook may have come first
            _refunded(purchase, actor=acting_user)


def reconcile(*, provider_name: str | None = None, since: int) -> dict:
    """The sweep: every provider event since `since` (epoch seconds) applied once; what the webhook lost is found."""
    provider = get_provider(provider_name)
    counts: dict = {}
    for event in provider.list_events(since=since):
        outcome = handle_payment_event(provider_name=provider.name, event=event)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
