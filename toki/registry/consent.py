"""The normal-times sharing rule (第49条の11第2項) as one pure function, so it can be tested against every
(mode, state) pair and reused by the selectors.

Modes (registry.md §2): opt_in (the statute's default: only an explicit 同意), opt_out (an ordinance: everyone
except those who declined or filed a refusal), presumed (福岡市: the person was asked and did not refuse),
not_required (an ordinance lifts consent entirely).
"""

from datetime import date

from toki.registry.models import Consent

State = Consent.State
OPT_OUT_BLOCKS = {State.DECLINED, State.REFUSED}


def is_current(consent: Consent | None, today: date) -> bool:
    return consent is not None and consent.valid_from <= today and (
        consent.valid_until is None or today <= consent.valid_until)


def sharing_allowed(mode: str, consent: Consent | None, today: date) -> bool:
    """May the person's data (of the consent's scope) go to the recipient class now? `consent` is the latest
    record for that person, class and scope, or None; an expired record counts as none."""
    state = consent.state if consent is not None and is_current(consent, today) else None
    if mode == "not_required":
        return True
    if mode == "opt_out":
        return state not in OPT_OUT_BLOCKS
    if mode == "presumed":
        # Asked (a record exists) and no refusal: presumed consent. Never asked: no.
        return state in (State.CONSENTED, State.REFUSAL_WITHDRAWN, State.NO_ANSWER)
    if mode == "opt_in":
        return state == State.CONSENTED
    raise ValueError(f"unknown consent mode {mode!r}")


def latest_consents(person_ids, recipient_class: str, scope: str) -> dict[int, Consent]:
    """The latest consent record per person for one class and scope (one query)."""
    latest: dict[int, Consent] = {}
    rows = (Consent.objects.filter(person_id__in=list(person_ids), recipient_class=recipient_class, scope=scope)
            .defer("proxy_name").order_by("person_id", "-recorded_at", "-id"))
    for consent in rows:
        latest.setdefault(consent.person_id, consent)
    return latest
