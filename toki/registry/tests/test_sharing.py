"""Consent as data and who sees whom: the sharing rule for every mode, recipients' scope and fields, search by
blind index, and the access log."""

from datetime import date, timedelta
from io import StringIO

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import SimpleTestCase, override_settings

from toki.accounts.models import AuditEvent, OrgUnit
from toki.areas.models import District
from toki.registry import actions, selectors
from toki.registry.consent import sharing_allowed
from toki.registry.models import AccessLog, Consent, Person, RecipientClass, Scope
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase

State = Consent.State
TODAY = date(2026, 12, 6)


def consent(state, valid_until=None) -> Consent:
    return Consent(state=state, valid_from=TODAY - timedelta(days=30), valid_until=valid_until)


class SharingRuleTests(RegistryLoginMixin, SimpleTestCase):
    """The rule against a small reference table: (mode, state or None) → shared?"""

    EXPECTED = {
        "opt_in": {None: False, State.CONSENTED: True, State.DECLINED: False, State.REFUSED: False,
                   State.REFUSAL_WITHDRAWN: False, State.NO_ANSWER: False},
        "opt_out": {None: True, State.CONSENTED: True, State.DECLINED: False, State.REFUSED: False,
                    State.REFUSAL_WITHDRAWN: True, State.NO_ANSWER: True},
        "presumed": {None: False, State.CONSENTED: True, State.DECLINED: False, State.REFUSED: False,
                     State.REFUSAL_WITHDRAWN: True, State.NO_ANSWER: True},
        "not_required": dict.fromkeys([None, *State], True),
    }

    def test_every_mode_and_state(self):
        for mode, table in self.EXPECTED.items():
            for state, shared in table.items():
                with self.subTest(mode=mode, state=state):
                    record = consent(state) if state else None
                    self.assertEqual(shared, sharing_allowed(mode, record, TODAY))

    def test_an_expired_record_counts_as_none(self):
        expired = consent(State.CONSENTED, valid_until=TODAY - timedelta(days=1))
        self.assertFalse(sharing_allowed("opt_in", expired, TODAY))
        self.assertTrue(sharing_allowed("opt_out", consent(State.REFUSED, TODAY - timedelta(days=1)), TODAY))

    def test_an_unknown_mode_is_refused(self):
        with self.assertRaises(ValueError):
            sharing_allowed("sometimes", None, TODAY)


@override_settings(**KEYS_V1)
class WhoSeesWhomTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row("A1", name="相川 一", name_kana="アイカワ ハジメ", birth_date="1940-01-01",
                           phone="0259-11-1111"),
                person_row("A2", name="相川 二", name_kana="アイカワ フタバ"),
                person_row("A3", name="相川 三", name_kana="アイカワ ミツ"),
                person_row("R1", name="両津 一", name_kana="リョウツ ハジメ", district="ryotsu")]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
            cls.people = {p.name: p for p in Person.objects.all()}
            cls.welfare = OrgUnit.objects.get(name="佐渡市社会福祉協議会")
            actions.register_recipient(actor=cls.alice, org_unit=cls.welfare, recipient_class=RecipientClass.MINSEI,
                                       agreement_on=TODAY, pledge_on=TODAY, training_on=TODAY)
            cls.answer("相川 一", State.CONSENTED)
            cls.answer("相川 二", State.REFUSED)
            cls.answer("両津 一", State.CONSENTED)

    @classmethod
    def answer(cls, name, state, **extra):
        return actions.record_consent(actor=cls.alice, person=cls.people[name], recipient_class=RecipientClass.MINSEI,
                                      scope=Scope.ROSTER, state=state, text_version="2026-1",
                                      method=Consent.Method.MAIL, **extra)

    def names(self, user, district="aikawa") -> list[str]:
        views = selectors.district_list(user, District.objects.get(code=district).pk, purpose="support_planning")
        return sorted(view.values["name"] for view in views)

    def test_opt_in_the_statutes_default_shows_the_minsei_only_consented_people_of_his_district(self):
        self.assertEqual(["相川 一"], self.names(self.dave))
        self.assertEqual([], self.names(self.dave, "ryotsu"))  # consented, but not his district

    @override_settings(TOKI_REGISTRY_CONSENT_MODE="opt_out")
    def test_opt_out_shows_everyone_who_did_not_refuse(self):
        self.assertEqual(["相川 一", "相川 三"], self.names(self.dave))

    @override_settings(TOKI_REGISTRY_CONSENT_MODE="presumed")
    def test_presumed_consent_needs_the_person_to_have_been_asked(self):
        self.assertEqual(["相川 一"], self.names(self.dave))
        self.answer("相川 三", State.NO_ANSWER)
        self.assertEqual(["相川 一", "相川 三"], self.names(self.dave))

    @override_settings(TOKI_REGISTRY_CONSENT_MODE="not_required")
    def test_not_required_shows_everyone_of_the_district(self):
        self.assertEqual(["相川 一", "相川 三", "相川 二"], self.names(self.dave))

    @override_settings(TOKI_REGISTRY_CONSENT_MODE="mixed", TOKI_REGISTRY_CONSENT_MODES="minsei=opt_out,police=opt_in")
    def test_mixed_mode_decides_per_recipient_class(self):
        self.assertEqual(["相川 一", "相川 三"], self.names(self.dave))
        self.assertFalse(selectors.may_recipient_class_see(self.people["相川 三"], RecipientClass.POLICE))
        self.assertTrue(selectors.may_recipient_class_see(self.people["相川 三"], RecipientClass.MINSEI))

    def test_the_latest_answer_counts_and_an_expired_one_counts_as_none(self):
        self.answer("相川 一", State.REFUSED)
        self.assertEqual([], self.names(self.dave))
        self.answer("相川 三", State.CONSENTED, valid_until=date.today() - timedelta(days=1))
        self.assertEqual([], self.names(self.dave))

    def test_a_recipient_without_training_sees_nobody(self):
        actions.register_recipient(actor=self.alice, org_unit=self.welfare, recipient_class=RecipientClass.MINSEI,
                                   agreement_on=TODAY, pledge_on=TODAY, training_on=None)
        self.dave.refresh_from_db()
        self.assertEqual([], self.names(self.dave))

    def test_outsiders_see_nobody_and_find_nobody(self):
        for user in (self.eve, self.bob, self.carol):
            with self.subTest(user=user.username):
                self.assertEqual([], self.names(user))
                self.assertEqual([], selectors.search(user, kana="アイカワ ハジメ", purpose="support_planning"))
                self.assertIsNone(selectors.person_detail(user, self.people["相川 一"].pk,
                                                          purpose="support_planning"))
        self.assertFalse(AccessLog.objects.exists())

    def test_the_registry_officer_sees_everyone_as_internal_use(self):
        self.assertEqual(["相川 一", "相川 三", "相川 二"], self.names(self.alice))
        self.assertEqual({"49-11-1"}, set(AccessLog.objects.values_list("basis", flat=True)))

    def test_a_class_sees_only_its_fields(self):
        actions.register_recipient(actor=self.alice, org_unit=self.welfare, recipient_class=RecipientClass.COMMUNITY,
                                   agreement_on=TODAY, pledge_on=TODAY, training_on=TODAY)
        actions.record_consent(actor=self.alice, person=self.people["相川 一"],
                               recipient_class=RecipientClass.COMMUNITY, scope=Scope.ROSTER, state=State.CONSENTED,
                               text_version="2026-1", method=Consent.Method.VISIT)
        self.dave.refresh_from_db()
        view = selectors.person_detail(self.dave, self.people["相川 一"].pk, purpose="support_planning")
        self.assertIn("address", view.values)
        self.assertNotIn("care_level", view.values)
        self.assertNotIn("disabilities", view.values)
        self.assertNotIn("medical_devices", view.values)

    def test_every_look_is_logged_with_who_whom_which_fields_and_why(self):
        self.names(self.dave)
        log = AccessLog.objects.get()
        self.assertEqual((self.dave.pk, self.people["相川 一"].pk, "list", "support_planning", "49-11-2", "minsei"),
                         (log.actor_id, log.person_id, log.action, log.purpose, log.basis, log.recipient_class))
        self.assertIn("name", log.fields)
        self.assertIn("medical_devices", log.fields)
        self.assertEqual(1, selectors.accesses_to(self.alice, self.people["相川 一"].pk).count())
        self.assertEqual(0, selectors.accesses_to(self.dave, self.people["相川 一"].pk).count())

    def test_the_access_log_cannot_be_rewritten(self):
        self.names(self.dave)
        with self.assertRaises(DatabaseError), transaction.atomic():
            AccessLog.objects.update(purpose="drill")
        with self.assertRaises(DatabaseError), transaction.atomic():
            AccessLog.objects.all().delete()

    def test_search_by_blind_index_in_any_writing_stays_in_scope_and_is_logged(self):
        person = self.people["相川 一"]
        for query in ({"kana": "あいかわ　はじめ"}, {"kana": "ｱｲｶﾜﾊｼﾞﾒ"}, {"phone": "０２５９(11)1111"},
                      {"birth_date": date(1940, 1, 1), "kana": "アイカワハジメ"}):
            with self.subTest(query=query):
                self.assertEqual([person.pk], [v.id for v in selectors.search(self.dave, purpose="drill", **query)])
        self.assertEqual([], selectors.search(self.dave, purpose="drill", kana="リョウツ ハジメ"))  # not his area
        self.assertEqual([], selectors.search(self.dave, purpose="drill"))  # no key: no listing
        self.assertEqual(4, AccessLog.objects.filter(action="search", person=person).count())

    def test_an_unknown_purpose_is_refused(self):
        with self.assertRaises(ValueError):
            selectors.district_list(self.dave, District.objects.get(code="aikawa").pk, purpose="curiosity")

    def test_consent_audit_names_ids_only(self):
        event = AuditEvent.objects.filter(action="registry.consent_recorded").order_by("id").first()
        self.assertEqual({"person": self.people["相川 一"].pk}, event.changes)

    def test_only_registry_officers_record_consent(self):
        with self.assertRaises(PermissionDenied):
            actions.record_consent(actor=self.dave, person=self.people["相川 三"], recipient_class="minsei",
                                   scope=Scope.ROSTER, state=State.CONSENTED, text_version="2026-1",
                                   method=Consent.Method.VISIT)

    def test_a_proxy_answer_names_the_proxy(self):
        with self.assertRaisesMessage(ValueError, "names the proxy"):
            actions.record_consent(actor=self.alice, person=self.people["相川 三"], recipient_class="minsei",
                                   scope=Scope.ROSTER, state=State.CONSENTED, text_version="2026-1",
                                   method=Consent.Method.PROXY)
