"""手上げ: applications onto the register (models_applications.py). Writes are audited with ids only; every staff
read of an application's values is a logged look (the access log row names the application in its items:
"application:<id>"). Approval goes through the import's own functions (importing.person_values,
inclusion_reasons) and records the answers through actions.record_consent."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit, ratelimit
from toki.areas.models import District
from toki.registry import accesslog, actions, conf, crypto
from toki.registry.importing import inclusion_reasons, person_values
from toki.registry.models import AccessLog, Consent, Person
from toki.registry.models_applications import Application
from toki.registry.permissions import may_keep_register

# The consent text every applicant and every mailed form shows (templates/registry/apply/consent_text.html);
# a new wording gets a new version, so each answer says which text it answered.
TEXT_VERSION = "sado-2026-1"
VALID_YEARS = 1  # answers are asked again every year (the consent mailings)
SELF_APPLICATION = "self_application"  # the inclusion reason of everyone who applied
APPLY_WINDOW = timedelta(hours=1)
APPLICATION_ITEMS = ("name", "name_kana", "birth_date", "sex", "address", "phone", "support_reason", "care_level",
                     "disabilities", "medical_devices", "lives_with", "emergency_contacts")


def valid_until(start: date, years: int) -> date:
    """The last day of an answer given on `start` and valid for `years` (29 February: up to 28 February)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:
        end = date(start.year + years, 3, 1)
    return end - timedelta(days=1)


def _apply_limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    """Per client address (toki/lib/client_address.py), then everyone together: a flood of made-up applications
    would bury the officers' queue."""
    return (ratelimit.Limit("registry.apply", settings.TOKI_REGISTRY_APPLICATIONS_PER_ADDRESS, APPLY_WINDOW),
            ratelimit.Limit("registry.apply.global", settings.TOKI_REGISTRY_APPLICATIONS_PER_HOUR, APPLY_WINDOW))


def take_apply_slot(client_address: str) -> bool:
    """Count one web application for this client and for everyone; False (nothing counted) when one is spent."""
    per_client, everyone = _apply_limits()
    return ratelimit.take_all((per_client, per_client.key_for(client_address or "")), (everyone, ratelimit.GLOBAL))


def _require_keeper(actor) -> None:
    if actor is None or not may_keep_register(actor):
        raise PermissionDenied("only registry officers review and enter applications")


@transaction.atomic
def submit_application(*, values: dict, consents: dict, proxy: dict, source: str, consent_method: str,
                       entered_by=None, received_at=None) -> Application:
    """Store an application, pending review. `values` as ApplicationForm.values(); `entered_by`: the officer who
    typed a paper one in (required for paper, none for the web)."""
    if source == Application.Source.PAPER:
        _require_keeper(entered_by)
    elif entered_by is not None:
        raise ValueError("a web application is the applicant's own")
    born = date.fromisoformat(values["birth_date"])
    application = Application.objects.create(
        source=source, district=District.objects.defer("boundary").get(pk=values["district_id"]), values=values,
        applicant=Application.Applicant.PROXY if proxy else Application.Applicant.SELF,
        proxy_name=proxy.get("proxy_name", ""), proxy_phone=proxy.get("proxy_phone", ""),
        proxy_relation=proxy.get("proxy_relation", ""),
        proxy_takes_responsibility=bool(proxy.get("proxy_takes_responsibility")), consents=consents,
        text_version=TEXT_VERSION, consent_method=consent_method, kana_index=crypto.kana_index(values["name_kana"]),
        birth_date_index=crypto.birth_date_index(born), submitted_at=received_at or timezone.now(),
        entered_by=entered_by)
    audit.record(actor=entered_by, action="registry.application_received", obj=application,
                 changes={"source": source, "district": application.district_id})
    return application


def web_consent_method(proxy: dict) -> str:
    return Consent.Method.PROXY if proxy else Consent.Method.ONLINE


# Reads ------------------------------------------------------------------------------------------------------

def queue(user, *, state: str = Application.State.PENDING) -> list[Application]:
    """The applications of one state, oldest first for pending (first come, first reviewed). No values read."""
    if not may_keep_register(user):
        return []
    rows = Application.objects.filter(state=state).select_related("district", "entered_by", "decided_by").defer(
        "values", "proxy_name", "proxy_phone", "reject_reason", "district__boundary")
    return list(rows.order_by("submitted_at", "id") if state == Application.State.PENDING else rows[:200])


def with_possible_duplicates(rows: list[Application]) -> list[tuple[Application, bool]]:
    """Each application and whether someone on the register has its keyed hashes (one query for the list)."""
    known = set(Person.objects.filter(kana_index__in={a.kana_index for a in rows},
                                      birth_date_index__in={a.birth_date_index for a in rows})
                .values_list("kana_index", "birth_date_index"))
    return [(a, (a.kana_index, a.birth_date_index) in known) for a in rows]


def duplicates(application: Application) -> list[int]:
    """People on the register with the same kana name and date of birth (keyed hashes: nothing decrypted)."""
    return list(Person.objects.filter(kana_index=application.kana_index,
                                      birth_date_index=application.birth_date_index).values_list("id", flat=True))


def application_for(user, pk: int) -> Application | None:
    """One application with its values, for officers only; the look is logged (register_upkeep)."""
    if not may_keep_register(user):
        return None
    application = Application.objects.select_related("district", "entered_by", "decided_by").filter(pk=pk).first()
    if application is None:
        return None
    items = (f"application:{application.pk}", *APPLICATION_ITEMS, *(("proxy_name", "proxy_phone")
                                                                   if application.proxy_name else ()))
    accesslog.record(user, [accesslog.Look(application.person_id, items, AccessLog.Basis.INTERNAL)],
                     action=AccessLog.Action.VIEW, purpose="register_upkeep")
    return application


# Decisions --------------------------------------------------------------------------------------------------

@dataclass
class Decided:
    person: Person
    merged: bool
    consents: int


def _pending(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.state != Application.State.PENDING:
        raise ValueError("this application was already decided")
    return locked


def _decide(application: Application, actor, state: str) -> None:
    application.state, application.decided_by, application.decided_at = state, actor, timezone.now()


def _person_values(application: Application) -> dict:
    """What the application sets on a Person, through the import's functions (criteria met or not, the person
    asked: 手上げ is an inclusion reason of its own)."""
    parsed = {**application.values, "birth_date": date.fromisoformat(application.values["birth_date"]),
              "district": application.district}
    reasons = [*inclusion_reasons(parsed, conf.criteria()), SELF_APPLICATION]
    return person_values(parsed, reasons)


@transaction.atomic
def approve_application(*, actor, application: Application, merge_into: int | None = None,
                        create_new: bool = False) -> Decided:
    """Put the applicant on the register: update `merge_into` (one of `duplicates`), or create a new person. A
    possible duplicate must be decided by the officer (merge, or `create_new` after checking it is someone
    else). Then the consent answers are recorded with the text version shown and the way they were given."""
    _require_keeper(actor)
    application = _pending(application)
    candidates = duplicates(application)
    if merge_into is not None and merge_into not in candidates:
        raise ValueError("merge_into: not a person with the same kana name and date of birth")
    if merge_into is None and candidates and not create_new:
        raise ValueError("this person may already be on the register: merge, or confirm it is someone else")
    values = _person_values(application)
    if merge_into is not None:
        person = Person.objects.select_for_update().get(pk=merge_into)
        kept = [r for r in (person.inclusion_reasons or []) if r not in values["inclusion_reasons"]]
        values["inclusion_reasons"] = [*kept, *values["inclusion_reasons"]]
        values = {name: value for name, value in values.items() if value not in ("", [], None)}
    else:
        person = Person(source=Person.Source.WEB if application.source == Application.Source.WEB
                        else Person.Source.PAPER)
    for name, value in values.items():
        setattr(person, name, value)
    person.status, person.left_reason, person.left_at = Person.Status.ACTIVE, "", None
    person.refresh_indexes()
    person.save()
    answered_on = timezone.localtime(application.submitted_at).date()
    for key, state in application.consents.items():
        recipient_class, scope = key.split(":", 1)
        actions.record_consent(
            actor=actor, person=person, recipient_class=recipient_class, scope=scope, state=state,
            text_version=application.text_version, method=application.consent_method, valid_from=answered_on,
            valid_until=valid_until(answered_on, VALID_YEARS),
            proxy_name=application.proxy_name, proxy_relation=application.proxy_relation,
            proxy_takes_responsibility=application.proxy_takes_responsibility,
            obtained_by=application.entered_by or actor)
    _decide(application, actor, Application.State.APPROVED)
    application.person = person
    application.save(update_fields=["state", "decided_by", "decided_at", "person"])
    audit.record(actor=actor, action="registry.application_approved", obj=application,
                 changes={"person": person.pk, "merged": merge_into is not None,
                          "consents": len(application.consents)})
    return Decided(person, merge_into is not None, len(application.consents))


@transaction.atomic
def reject_application(*, actor, application: Application, reason: str) -> Application:
    """Refuse it with a reason (kept encrypted: it may name the person). The applicant's values are erased:
    nothing about someone who is not on the register is kept beyond the decision."""
    _require_keeper(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("reason: say why the application is rejected")
    if len(reason) > 500:
        raise ValueError("reason: at most 500 characters")
    application = _pending(application)
    _decide(application, actor, Application.State.REJECTED)
    application.reject_reason = reason
    application.values, application.proxy_name, application.proxy_phone = {}, "", ""
    application.save(update_fields=["state", "decided_by", "decided_at", "reject_reason", "values", "proxy_name",
                                    "proxy_phone"])
    audit.record(actor=actor, action="registry.application_rejected", obj=application)
    return application
