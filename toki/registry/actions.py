"""Writes to the register, each audited with ids only (never a name, a date of birth or a consent's content)."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit
from toki.registry import crypto
from toki.registry.fields import EncryptedTextField
from toki.registry.models import Activation, Application, Consent, Person, Recipient
from toki.registry.permissions import may_declare_activation, may_keep_register


def _require_keeper(actor) -> None:
    if actor is not None and not may_keep_register(actor):
        raise PermissionDenied("only registry officers keep the register")


@transaction.atomic
def record_consent(*, actor, person: Person, recipient_class: str, scope: str, state: str, text_version: str,
                   method: str, valid_from: date | None = None, valid_until: date | None = None,
                   proxy_name: str = "", proxy_relation: str = "", proxy_takes_responsibility: bool = False,
                   obtained_by=None) -> Consent:
    """Append a consent answer (the previous ones stay as history)."""
    _require_keeper(actor)
    if method == Consent.Method.PROXY and not (proxy_name and proxy_relation):
        raise ValueError("a proxy answer names the proxy and their relation")
    if valid_from and valid_until and valid_until < valid_from:
        raise ValueError("a consent cannot end before it starts")
    consent = Consent(
        person=person, recipient_class=recipient_class, scope=scope, state=state, text_version=text_version,
        method=method, valid_from=valid_from or timezone.localdate(), valid_until=valid_until,
        proxy_name=proxy_name, proxy_relation=proxy_relation,
        proxy_takes_responsibility=proxy_takes_responsibility, obtained_by=obtained_by or actor, recorded_by=actor)
    consent.full_clean(exclude=["person", "obtained_by", "recorded_by", "proxy_name"])
    consent.save()
    audit.record(actor=actor, action="registry.consent_recorded", obj=consent, changes={"person": person.pk})
    return consent


@transaction.atomic
def register_recipient(*, actor, org_unit, recipient_class: str, agreement_on: date | None = None,
                       pledge_on: date | None = None, training_on: date | None = None) -> Recipient:
    """Record an organisation the register may be shared with (it sees nothing until all three dates are set)."""
    _require_keeper(actor)
    recipient, _created = Recipient.objects.update_or_create(
        org_unit=org_unit, defaults={"recipient_class": recipient_class, "agreement_on": agreement_on,
                                     "pledge_on": pledge_on, "training_on": training_on})
    audit.record(actor=actor, action="registry.recipient_registered", obj=recipient,
                 changes={"org_unit": org_unit.pk, "class": recipient_class, "cleared": recipient.is_cleared})
    return recipient


def _encrypted_columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField) and f.column]


def rotate_keys(*, actor, batch_size: int = 500, reindex: bool = False) -> dict[str, int]:
    """Re-encrypt every value not under the primary key (batch by batch, each batch its own transaction, so a
    stopped run resumes where it was). With `reindex`, recompute the people's blind indexes too (after a change
    of TOKI_REGISTRY_INDEX_KEY). Reads raw columns: only values that need it are decrypted."""
    counts = {"rows": 0, "values": 0}
    for model in (Person, Consent, Application):
        columns = _encrypted_columns(model)
        table = model._meta.db_table
        quote = connection.ops.quote_name
        # Table and column names come from the model, never from input.
        select = (f"SELECT id, {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608
                  "WHERE id > %s ORDER BY id")
        last_id = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(select + f" LIMIT {int(batch_size)}", [last_id])
                rows = cursor.fetchall()
            if not rows:
                break
            last_id = rows[-1][0]
            with transaction.atomic():
                for row_id, *values in rows:
                    changed = {c: crypto.encrypt(crypto.decrypt(v)) for c, v in zip(columns, values, strict=True)
                               if v and crypto.needs_rotation(v)}
                    if changed:
                        assignments = ", ".join(f"{quote(c)} = %s" for c in changed)
                        with connection.cursor() as cursor:
                            cursor.execute(f"UPDATE {quote(table)} SET {assignments} WHERE id = %s",  # noqa: S608
                                           [*changed.values(), row_id])
                        counts["rows"] += 1
                        counts["values"] += len(changed)
                if reindex and model is Person:
                    for person in Person.objects.filter(pk__in=[r[0] for r in rows]).only(
                            "id", "name_kana", "birth_date", "phone"):
                        person.refresh_indexes()
                        Person.objects.filter(pk=person.pk).update(
                            kana_index=person.kana_index, birth_date_index=person.birth_date_index,
                            phone_index=person.phone_index)
    audit.record(actor=actor, action="registry.keys_rotated",
                 changes={**counts, "primary": crypto.primary_key_id(), "reindexed": reindex})
    return counts


# Disaster activation (第49条の11第3項) ------------------------------------------------------------------------

MAX_ACTIVATION_HOURS = 72  # time-boxed (registry.md §5.6): renewable, never open-ended


def _require_declarer(actor) -> None:
    if not may_declare_activation(actor):
        raise PermissionDenied("only HQ administrators declare or end a disaster activation")


def _check_expiry(expires_at, now) -> None:
    if expires_at <= now:
        raise ValueError(_("expires_at: the expiry must be in the future"))
    if expires_at > now + timedelta(hours=MAX_ACTIVATION_HOURS):
        raise ValueError(_("expires_at: at most %(hours)s hours ahead (extend it when needed)")
                         % {"hours": MAX_ACTIVATION_HOURS})


@transaction.atomic
def declare_activation(*, actor, districts, reason: str, expires_at) -> Activation:
    """Widen sharing to everyone on the register in `districts` until `expires_at` (or an earlier end)."""
    _require_declarer(actor)
    now = timezone.now()
    districts = list(districts)
    reason = (reason or "").strip()
    if not districts:
        raise ValueError(_("districts: name at least one affected district"))
    if not reason:
        raise ValueError(_("reason: say why sharing is widened"))
    if len(reason) > 500:
        raise ValueError(_("reason: at most 500 characters"))
    _check_expiry(expires_at, now)
    activation = Activation.objects.create(declared_by=actor, declared_at=now, reason=reason, expires_at=expires_at)
    activation.districts.set(districts)
    audit.record(actor=actor, action="registry.activation_declared", obj=activation,
                 changes={"districts": sorted(d.pk for d in districts), "expires_at": expires_at.isoformat()})
    return activation


@transaction.atomic
def extend_activation(*, actor, activation: Activation, expires_at) -> Activation:
    _require_declarer(actor)
    activation = Activation.objects.select_for_update().get(pk=activation.pk)
    now = timezone.now()
    if not activation.is_live(now):
        raise ValueError(_("this activation has ended: declare a new one"))
    _check_expiry(expires_at, now)
    before = activation.expires_at
    activation.expires_at = expires_at
    activation.save(update_fields=["expires_at"])
    audit.record(actor=actor, action="registry.activation_extended", obj=activation,
                 changes={"expires_at": [before.isoformat(), expires_at.isoformat()]})
    return activation


@transaction.atomic
def end_activation(*, actor, activation: Activation) -> Activation:
    _require_declarer(actor)
    activation = Activation.objects.select_for_update().get(pk=activation.pk)
    now = timezone.now()
    if not activation.is_live(now):
        raise ValueError(_("this activation has already ended"))
    activation.ended_at, activation.ended_by = now, actor
    activation.save(update_fields=["ended_at", "ended_by"])
    audit.record(actor=actor, action="registry.activation_ended", obj=activation)
    return activation


@transaction.atomic
def review_activation(*, actor, activation: Activation, note: str) -> Activation:
    """The after-the-fact review: who looked at whom under it is on the activation's page; the note says whether
    the widening was needed and proportionate. Only once it has stopped, only once."""
    _require_declarer(actor)
    activation = Activation.objects.select_for_update().get(pk=activation.pk)
    note = (note or "").strip()
    if activation.is_live(timezone.now()):
        raise ValueError(_("an activation is reviewed after it has ended or expired"))
    if activation.reviewed_at is not None:
        raise ValueError(_("this activation has already been reviewed"))
    if not note:
        raise ValueError(_("note: write the review"))
    if len(note) > 2000:
        raise ValueError(_("note: at most 2,000 characters"))
    activation.reviewed_at, activation.reviewed_by, activation.review_note = timezone.now(), actor, note
    activation.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    audit.record(actor=actor, action="registry.activation_reviewed", obj=activation)
    return activation
