"""The registry demo (issue 16): a made-up Sado register, and mina, a 民生委員 of 相川 who sees only the people
who consented (under the configured mode). Kept out of personas.PERSONAS so the access matrix stays as it is."""

import csv
import io
from datetime import date

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role, User
from toki.areas.models import District, Municipality
from toki.demo.registry_plans import create_plan_demo
from toki.registry import actions as registry_actions
from toki.registry import applications, mailings, modes
from toki.registry.forms_apply import PublicApplicationForm
from toki.registry.importing import import_csv
from toki.registry.models import Application, Consent, Mailing, Person, RecipientClass, Scope

MINSEI_UNIT = "相川地区民生委員児童委員協議会"
MINSEI = ("mina", "民生委員 ミナ")
# (source id, name, kana, birth date, district, care level, devices, consent of the 民生委員 class or None)
PEOPLE = (
    ("D001", "相川 ハナ", "アイカワ ハナ", "1936-02-11", "aikawa", "要介護4", "", Consent.State.CONSENTED),
    ("D002", "相川 トメ", "アイカワ トメ", "1931-07-30", "aikawa", "要介護3", "在宅酸素", Consent.State.CONSENTED),
    ("D003", "相川 ゲン", "アイカワ ゲン", "1940-11-03", "aikawa", "要介護5", "人工呼吸器", Consent.State.REFUSED),
    ("D004", "相川 キヨ", "アイカワ キヨ", "1938-05-05", "aikawa", "要介護3", "", Consent.State.NO_ANSWER),
    ("D005", "相川 サブロウ", "アイカワ サブロウ", "1945-09-09", "aikawa", "要介護4", "", None),
    ("D006", "両津 ミツ", "リョウツ ミツ", "1934-01-20", "ryotsu", "要介護3", "", Consent.State.CONSENTED),
    ("D007", "両津 タケ", "リョウツ タケ", "1939-03-14", "ryotsu", "要介護1", "", None),  # below the criteria
)


def _csv(people) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["source_id", "name", "name_kana", "birth_date", "address", "district", "care_level",
                     "medical_devices", "lives_alone", "phone"])
    for number, (source, name, kana, birth, district, care, devices, _) in enumerate(people, start=1):
        writer.writerow([source, name, kana, birth, f"佐渡市デモ町{number}番地", district, care, devices, "1",
                         f"0259-00-{number:04d}"])
    return out.getvalue().encode()


def create_registry_demo(municipality: Municipality, password: str) -> dict:
    """mina and her recipient organisation, the made-up register and its consent answers. Idempotent (the
    import updates known people by their source id; consent answers are added only once)."""
    officer = User.objects.get(username="alice")
    aikawa = District.objects.get(municipality=municipality, code="aikawa")
    unit = account_actions.ensure_org_unit(acting_user=None, name=MINSEI_UNIT, kind=OrgUnit.Kind.WELFARE,
                                           district=aikawa)
    username, display_name = MINSEI
    user = account_actions.ensure_user(acting_user=None, username=username, display_name=display_name,
                                       password=password)
    account_actions.grant_membership(acting_user=None, user=user, org_unit=unit, role=Role.VIEWER, district=aikawa)
    registry_actions.register_recipient(actor=officer, org_unit=unit, recipient_class=RecipientClass.MINSEI,
                                        agreement_on=date(2026, 4, 1), pledge_on=date(2026, 4, 1),
                                        training_on=date(2026, 5, 15))
    result = import_csv(actor=officer, data=_csv(PEOPLE), file_name="demo-welfare.csv", municipality=municipality)
    states = {kana: state for _, _, kana, _, _, _, _, state in PEOPLE}
    for person in Person.objects.filter(pk__in=result.person_ids).only("id", "name_kana"):
        state = states.get(person.name_kana)
        if state is None or person.consents.exists():
            continue
        registry_actions.record_consent(actor=officer, person=person, recipient_class=RecipientClass.MINSEI,
                                        scope=Scope.ROSTER, state=state, text_version="sado-2026-1",
                                        method=Consent.Method.MAIL)
    _applications_mailing_and_mode(officer, municipality, aikawa)
    create_plan_demo(municipality, officer=officer, minsei=user)
    return {username: user}


# Two pending 手上げ applications (one by the person, one by a daughter for her father), as the web form takes them.
APPLICATIONS = (
    {"name": "相川 ミヨ", "name_kana": "あいかわ みよ", "birth_date": "1937-08-15", "sex": "2",
     "address": "佐渡市デモ町21番地", "phone": "0259-00-0021", "support_reason": "耳が遠く、防災無線が聞こえない",
     "lives_alone": "on", "applicant": "self", "consent_minsei_roster": "on", "consent_community_roster": "on"},
    {"name": "相川 タダシ", "name_kana": "あいかわ ただし", "birth_date": "1933-12-01", "sex": "1",
     "address": "佐渡市デモ町22番地", "phone": "0259-00-0022", "support_reason": "車いすを使っている",
     "care_level": "要介護2", "medical_devices": "在宅酸素", "applicant": "proxy", "proxy_name": "新潟 ユキ",
     "proxy_relation": "長女", "proxy_phone": "025-000-0022", "proxy_takes_responsibility": "on",
     "consent_minsei_roster": "on", "consent_minsei_plan": "on", "consent_fire_roster": "on"},
)


def _applications_mailing_and_mode(officer, municipality, aikawa) -> None:
    """The consent mode's first record (the setting's mode), two applications waiting for review and one
    mailing to 相川's unanswered people. Each only once."""
    modes.seed_from_setting(on=date(2026, 4, 1))
    if not Application.objects.exists():
        for data in APPLICATIONS:
            form = PublicApplicationForm({**data, "district": str(aikawa.pk), "truthful": "on"},
                                         municipality=municipality)
            if not form.is_valid():
                raise ValueError(f"demo application: {form.errors.as_text()}")
            proxy = form.proxy()
            applications.submit_application(values=form.values(), consents=form.consents(), proxy=proxy,
                                            source=Application.Source.WEB,
                                            consent_method=applications.web_consent_method(proxy))
    if not Mailing.objects.exists():
        mailings.create_mailing(actor=officer, kind=Mailing.Cohort.UNANSWERED, district=aikawa)
