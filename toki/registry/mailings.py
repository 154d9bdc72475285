"""Yearly consent mailings (models_mailings.py): choose a cohort, print a form per person, record the returned
answers by the reply code, chase those who did not answer (a second mailing or a visit by the 民生委員), and the
figures of each mailing. Answers become Consent rows (method mail, the mailing's text version, the day received,
valid for the mailing's years). Every print is a logged look (action print, purpose consent_followup)."""

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from toki.accounts import audit
from toki.registry import accesslog, actions
from toki.registry.applications import TEXT_VERSION, valid_until
from toki.registry.consent import is_current
from toki.registry.models import AccessLog, Consent, Person, RecipientClass, Scope
from toki.registry.models_mailings import Mailing, MailingItem
from toki.registry.permissions import may_keep_register

# Crockford-like: no 0/O, 1/I/L, so a code read off paper is typed right. 8 characters: 31^8 ≈ 8.5e11.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_DAYS = 366
PRINT_ITEMS = ("address", "name")
ANSWER_STATES = (Consent.State.CONSENTED, Consent.State.DECLINED)
CONSENT_KEYS = [(c, s) for c in RecipientClass.values for s in Scope.values]


def _require_keeper(actor) -> None:
    if actor is None or not may_keep_register(actor):
        raise PermissionDenied("only registry officers run consent mailings")


def new_reply_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """A code as staff type it: full-width, lower case, spaces and hyphens all accepted."""
    text = unicodedata.normalize("NFKC", typed or "").upper()
    return "".join(ch for ch in text if ch.isalnum())


def shown_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# The cohort -------------------------------------------------------------------------------------------------

def _latest_per_person(person_ids) -> dict[int, list[Consent]]:
    """The latest row per person × class × scope, grouped by person (one query)."""
    latest: dict[tuple[int, str, str], Consent] = {}
    for row in (Consent.objects.filter(person_id__in=list(person_ids)).defer("proxy_name")
                .order_by("person_id", "recipient_class", "scope", "-recorded_at", "-id")):
        latest.setdefault((row.person_id, row.recipient_class, row.scope), row)
    grouped: dict[int, list[Consent]] = {}
    for (person_id, _, _), row in latest.items():
        grouped.setdefault(person_id, []).append(row)
    return grouped


def cohort(*, kind: str, district_id: int | None = None, days: int | None = None, today: date | None = None
           ) -> list[int]:
    """The people (ids) a mailing of `kind` goes to: on the register (in `district_id` if given) and
    - unanswered: no current answer but 未回答 (never asked, only 未回答, or every answer expired);
    - expiring: a current answer that ends within `days` days."""
    today = today or timezone.localdate()
    people = Person.objects.filter(status=Person.Status.ACTIVE)
    if district_id is not None:
        people = people.filter(district_id=district_id)
    ids = list(people.order_by("district_id", "id").values_list("id", flat=True))
    latest = _latest_per_person(ids)
    if kind == Mailing.Cohort.UNANSWERED:
        return [pid for pid in ids if not any(is_current(c, today) and c.state != Consent.State.NO_ANSWER
                                              for c in latest.get(pid, []))]
    if kind == Mailing.Cohort.EXPIRING:
        if days is None or not 1 <= days <= MAX_DAYS:
            raise ValueError(f"days: a number of days from 1 to {MAX_DAYS}")
        until = today + timedelta(days=days)
        return [pid for pid in ids if any(is_current(c, today) and c.valid_until is not None
                                          and c.valid_until <= until for c in latest.get(pid, []))]
    raise ValueError(f"cohort: one of {Mailing.Cohort.UNANSWERED}, {Mailing.Cohort.EXPIRING}")


def _add_items(mailing: Mailing, person_ids: list[int]) -> None:
    codes: set[str] = set()
    while len(codes) < len(person_ids):
        codes.add(new_reply_code())
    taken = set(MailingItem.objects.filter(reply_code__in=codes).values_list("reply_code", flat=True))
    while taken:  # a clash with an earlier mailing: draw again (practically never)
        codes -= taken
        fresh = {new_reply_code() for _ in taken}
        taken = set(MailingItem.objects.filter(reply_code__in=fresh).values_list("reply_code", flat=True))
        codes |= fresh - taken
    MailingItem.objects.bulk_create([MailingItem(mailing=mailing, person_id=pid, reply_code=code)
                                     for pid, code in zip(person_ids, sorted(codes), strict=True)])


@transaction.atomic
def create_mailing(*, actor, kind: str, district=None, days: int | None = None, valid_years: int = 1) -> Mailing:
    """A mailing to everyone of the cohort, each with a reply code. Refused when nobody is in it."""
    _require_keeper(actor)
    if not 1 <= valid_years <= 5:
        raise ValueError("valid_years: from 1 to 5")
    people = cohort(kind=kind, district_id=district.pk if district else None, days=days)
    if not people:
        raise ValueError("nobody is in this cohort: nothing to send")
    mailing = Mailing.objects.create(cohort=kind, days=days if kind == Mailing.Cohort.EXPIRING else None,
                                     district=district, text_version=TEXT_VERSION, valid_years=valid_years,
                                     created_by=actor, created_at=timezone.now())
    _add_items(mailing, people)
    audit.record(actor=actor, action="registry.mailing_created", obj=mailing,
                 changes={"cohort": kind, "district": district.pk if district else None, "items": len(people)})
    return mailing


# Answers ----------------------------------------------------------------------------------------------------

def item_by_code(user, typed: str) -> MailingItem | None:
    if not may_keep_register(user):
        return None
    code = normalise_code(typed)
    if len(code) != CODE_LENGTH:
        return None
    return MailingItem.objects.select_related("mailing").filter(reply_code=code).first()


@transaction.atomic
def record_answers(*, actor, item: MailingItem, answers: dict[str, str], received_on: date) -> MailingItem:
    """The returned form's boxes: {"<class>:<scope>": consented | declined}; a box left empty is not an answer
    (the person stays as they were for it). Once per form: a second entry of the same code is refused."""
    _require_keeper(actor)
    item = MailingItem.objects.select_for_update().select_related("mailing").get(pk=item.pk)
    if item.answered_on is not None:
        raise ValueError(f"code: this form was already recorded on {item.answered_on.isoformat()}")
    if received_on > timezone.localdate():
        raise ValueError("received_on: a form cannot arrive in the future")
    if received_on < timezone.localtime(item.mailing.created_at).date():
        raise ValueError("received_on: before the form was made")
    valid_keys = {f"{c}:{s}" for c, s in CONSENT_KEYS}
    for key, state in answers.items():
        if key not in valid_keys or state not in ANSWER_STATES:
            raise ValueError(f"answers: {key!r} is not a box of the form")
    if not answers:
        raise ValueError("answers: the form has no box ticked (record it when the person answers)")
    person = Person.objects.only("id").get(pk=item.person_id)
    for key, state in answers.items():
        recipient_class, scope = key.split(":", 1)
        actions.record_consent(actor=actor, person=person, recipient_class=recipient_class, scope=scope,
                               state=state, text_version=item.mailing.text_version, method=Consent.Method.MAIL,
                               valid_from=received_on, valid_until=valid_until(received_on, item.mailing.valid_years))
    item.answered_on, item.answered_by = received_on, actor
    item.outcome = {state: sum(1 for s in answers.values() if s == state) for state in ANSWER_STATES}
    item.save(update_fields=["answered_on", "answered_by", "outcome"])
    audit.record(actor=actor, action="registry.mailing_answer_recorded", obj=item,
                 changes={"mailing": item.mailing_id, **item.outcome})
    return item


# Chasing ----------------------------------------------------------------------------------------------------

def non_responders(mailing: Mailing, *, after_days: int, today: date | None = None) -> list[MailingItem]:
    """Items not answered `after_days` days after the mailing was made (none before then)."""
    today = today or timezone.localdate()
    if timezone.localtime(mailing.created_at).date() + timedelta(days=after_days) > today:
        return []
    return list(mailing.items.filter(answered_on__isnull=True).order_by("id"))


@transaction.atomic
def chase(*, actor, mailing: Mailing, after_days: int, how: str) -> int:
    """For those who did not answer: `mail` makes a second mailing (new codes, parent = this one); `visit` asks
    the 民生委員 to visit (the visit list of this mailing). Returns how many people."""
    _require_keeper(actor)
    items = non_responders(mailing, after_days=after_days)
    if how == "visit":
        items = [i for i in items if i.visit_requested_at is None]
    if not items:
        raise ValueError("after_days: nobody is left to chase yet")
    if how == "mail":
        second = Mailing.objects.create(cohort=Mailing.Cohort.CHASE, district=mailing.district, parent=mailing,
                                        text_version=mailing.text_version, valid_years=mailing.valid_years,
                                        created_by=actor, created_at=timezone.now())
        _add_items(second, [i.person_id for i in items])
        audit.record(actor=actor, action="registry.mailing_chased", obj=second,
                     changes={"first": mailing.pk, "items": len(items)})
    elif how == "visit":
        MailingItem.objects.filter(pk__in=[i.pk for i in items]).update(visit_requested_at=timezone.now())
        audit.record(actor=actor, action="registry.mailing_visits_requested", obj=mailing,
                     changes={"items": len(items)})
    else:
        raise ValueError("how: mail or visit")
    return len(items)


# Figures and prints -----------------------------------------------------------------------------------------

@dataclass
class Figures:
    sent: int
    answered: int
    agreed: int  # answered with at least one 同意
    refused: int  # answered with no 同意 at all
    no_answer: int
    visits: int


def figures(mailing: Mailing) -> Figures:
    return figures_for([mailing])[mailing.pk]


def figures_for(shown: list[Mailing]) -> dict[int, Figures]:
    """The figures of each mailing (one query for all of them)."""
    rows: dict[int, list] = {m.pk: [] for m in shown}
    for mailing_id, *row in MailingItem.objects.filter(mailing__in=shown).values_list(
            "mailing_id", "answered_on", "outcome", "visit_requested_at"):
        rows[mailing_id].append(row)
    return {pk: _figures(outcomes) for pk, outcomes in rows.items()}


def _figures(outcomes: list) -> Figures:
    answered = [outcome for on, outcome, _ in outcomes if on is not None]
    agreed = sum(1 for outcome in answered if outcome.get(Consent.State.CONSENTED))
    return Figures(sent=len(outcomes), answered=len(answered), agreed=agreed, refused=len(answered) - agreed,
                   no_answer=len(outcomes) - len(answered), visits=sum(1 for *_, v in outcomes if v is not None))


def mailings_for(user) -> list[Mailing]:
    if not may_keep_register(user):
        return []
    return list(Mailing.objects.select_related("district", "created_by", "parent")[:100])


def mailing_for(user, pk: int) -> Mailing | None:
    if not may_keep_register(user):
        return None
    return Mailing.objects.select_related("district", "created_by", "parent").filter(pk=pk).first()


@dataclass
class PrintedForm:
    item: MailingItem
    code: str
    name: str
    address: str


def printed_forms(user, mailing: Mailing, *, visits_only: bool = False) -> list[PrintedForm]:
    """The forms (or the visit list) with name and address: each person a logged look (print,
    consent_followup, internal use)."""
    if not may_keep_register(user):
        return []
    chosen = mailing.items.order_by("id")
    if visits_only:
        chosen = chosen.filter(~Q(visit_requested_at=None), answered_on__isnull=True)
    items = list(chosen)
    people = {pid: (name, address) for pid, name, address in Person.objects.filter(
        pk__in=[i.person_id for i in items]).values_list("id", "name", "address")}
    accesslog.record(user, [accesslog.Look(i.person_id, PRINT_ITEMS, AccessLog.Basis.INTERNAL) for i in items],
                     action=AccessLog.Action.PRINT, purpose="consent_followup")
    return [PrintedForm(i, shown_code(i.reply_code), *people[i.person_id]) for i in items]
