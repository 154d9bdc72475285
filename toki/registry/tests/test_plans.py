"""個別避難計画 through the URLconf: who may make and change a plan (only with the person's plan consent under the
mode), supporters with their own consent (a plan is complete, and shared with non-writing classes, only when all
consented), who sees a plan (consent of their class, or a disaster activation), every view and print in the
access log with its purpose, the A4 print, the coverage figures, and outsiders refused."""

from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from toki.accounts.models import AuditEvent, OrgUnit
from toki.areas.models import District
from toki.registry import actions
from toki.registry.models import AccessLog, Consent, Person, Plan, PlanVersion, RecipientClass, Scope
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.shelters.models import Shelter
from toki.test import BaseTestCase

SENTINEL = "配慮センチネル車いす"
COMPLETE, INCOMPLETE = 'data-complete="yes"', 'data-complete="no"'


def plan_form(**overrides) -> dict:
    data = {"author_kind": "local", "author_name": "民生委員 デイブ", "destination_other": "長男宅 (佐和田)",
            "destination_point": "38.05, 138.33", "home_point": "38.0680, 138.2510",
            "route": "38.0675, 138.2530\n38.0660, 138.2600", "considerations": SENTINEL,
            "carry_items": "お薬手帳\n眼鏡\n杖", "start_level": "3", "timing_note": "高齢者等避難で声かけ",
            "family_contacts": "佐渡 一郎 | 長男 | 090-0000-0001",
            "review_due": (timezone.localdate() + timedelta(days=365)).isoformat()}
    data.update(overrides)
    return data


def supporter_form(**overrides) -> dict:
    data = {"name": "近所 支援太郎", "phone": "0259-00-9999", "address": "佐渡市相川二町目", "relation": "neighbour",
            "role": "声かけと付き添い", "state": "consented", "text_version": "plan-2026-1", "method": "visit",
            "given_on": timezone.localdate().isoformat()}
    data.update(overrides)
    return data


@override_settings(**KEYS_V1)
class PlanTestCase(RegistryLoginMixin, BaseTestCase):
    people: dict[str, Person]
    aikawa: District
    ryotsu: District

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row("A1", name="相川 一", name_kana="アイカワ ハジメ"),
                person_row("A2", name="相川 二", name_kana="アイカワ フタバ"),
                person_row("A3", name="相川 三", name_kana="アイカワ ミツ"),
                person_row("R1", name="両津 一", name_kana="リョウツ ハジメ", district="ryotsu")]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
            cls.people = {p.name: p for p in Person.objects.all()}
            cleared = {"agreement_on": date(2026, 4, 1), "pledge_on": date(2026, 4, 1),
                       "training_on": date(2026, 5, 1)}
            # dave: a 民生委員 of 相川 (writes plans); bob: the 消防団 of 両津 (reads complete plans only).
            actions.register_recipient(actor=cls.alice, org_unit=OrgUnit.objects.get(name="佐渡市社会福祉協議会"),
                                       recipient_class=RecipientClass.MINSEI, **cleared)
            actions.register_recipient(actor=cls.alice, org_unit=OrgUnit.objects.get(name="両津支所"),
                                       recipient_class=RecipientClass.FIRE_CORPS, **cleared)
            for name in ("相川 一", "相川 二", "相川 三"):
                cls.answer(name, RecipientClass.MINSEI, Scope.ROSTER)
            cls.answer("相川 一", RecipientClass.MINSEI, Scope.PLAN)
            cls.answer("相川 三", RecipientClass.FIRE, Scope.PLAN)  # a plan may be made, not shared with 民生委員
            cls.answer("両津 一", RecipientClass.FIRE_CORPS, Scope.PLAN)
        cls.aikawa = District.objects.get(code="aikawa")
        cls.ryotsu = District.objects.get(code="ryotsu")

    @classmethod
    def answer(cls, name, recipient_class, scope, state=Consent.State.CONSENTED):
        actions.record_consent(actor=cls.alice, person=cls.people[name], recipient_class=recipient_class,
                               scope=scope, state=state, text_version="2026-1", method=Consent.Method.VISIT)

    def make_plan(self, user, name, **overrides):
        self.login(user)
        return self.client.post(reverse("registry:plan_edit", args=[self.people[name].pk]), plan_form(**overrides))

    def plan_of(self, name) -> Plan:
        return Plan.objects.get(person=self.people[name])

    def plan_url(self, plan, purpose="support_planning", name="registry:plan"):
        return reverse(name, args=[plan.pk]) + f"?purpose={purpose}"

    def add_supporter(self, user, plan, **overrides):
        self.login(user)
        return self.client.post(reverse("registry:plan_supporters", args=[plan.pk]), supporter_form(**overrides))


class WritingTests(PlanTestCase):
    def test_it_lets_a_minsei_make_a_plan_for_a_consented_person_of_his_district(self):
        response = self.make_plan(self.dave, "相川 一")
        plan = self.plan_of("相川 一")
        self.assertRedirects(response, self.plan_url(plan))
        self.assertEqual((1, "local", 3), (plan.version, plan.author_kind, plan.start_level))
        self.assertEqual([[38.0675, 138.253], [38.066, 138.26]], plan.route)
        self.assertEqual(["お薬手帳", "眼鏡", "杖"], plan.carry_items)
        self.assertTrue(AuditEvent.objects.filter(action="registry.plan_saved", object_id=str(plan.pk)).exists())
        self.assertNotIn(SENTINEL, str(AuditEvent.objects.filter(action="registry.plan_saved").values()))

    def test_it_stores_the_plans_personal_fields_encrypted(self):
        self.make_plan(self.dave, "相川 一")
        self.add_supporter(self.dave, self.plan_of("相川 一"))
        with connection.cursor() as cursor:
            dump = ""
            for table in ("registry_plan", "registry_planversion", "registry_supporter"):
                cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 — fixed table names
                dump += repr(cursor.fetchall())
        for plain in (SENTINEL, "お薬手帳", "090-0000-0001", "近所 支援太郎", "138.253", "長男宅"):
            self.assertNotIn(plain, dump)

    def test_it_refuses_a_plan_without_the_persons_plan_consent(self):
        for user in (self.dave, self.alice):
            with self.subTest(user=user.username):
                self.assertEqual(404, self.make_plan(user, "相川 二").status_code)
                self.assertEqual(404, self.client.get(
                    reverse("registry:plan_edit", args=[self.people["相川 二"].pk])).status_code)
        self.assertFalse(Plan.objects.exists())

    def test_it_refuses_a_plan_after_the_person_withdrew_consent(self):
        self.answer("相川 一", RecipientClass.MINSEI, Scope.PLAN, Consent.State.REFUSED)
        self.assertEqual(404, self.make_plan(self.alice, "相川 一").status_code)

    @override_settings(TOKI_REGISTRY_CONSENT_MODE="opt_out")
    def test_an_opt_out_ordinance_allows_a_plan_without_an_answer(self):
        self.assertEqual(302, self.make_plan(self.alice, "相川 二", author_kind="city").status_code)
        self.assertEqual("city", self.plan_of("相川 二").author_kind)

    def test_the_city_makes_a_plan_the_minsei_may_not_write(self):
        self.assertEqual(404, self.make_plan(self.dave, "相川 三").status_code)  # consent for 消防 only
        self.assertEqual(302, self.make_plan(self.alice, "相川 三", author_kind="city").status_code)

    def test_a_minsei_may_not_write_a_plan_of_another_district(self):
        self.assertEqual(404, self.make_plan(self.dave, "両津 一").status_code)

    def test_a_reading_class_may_not_write_plans(self):
        self.assertEqual(404, self.make_plan(self.bob, "両津 一").status_code)

    def test_every_save_is_a_dated_version(self):
        self.make_plan(self.dave, "相川 一")
        self.make_plan(self.dave, "相川 一", author_kind="care", start_level="4")
        plan = self.plan_of("相川 一")
        self.assertEqual((2, 4, "care"), (plan.version, plan.start_level, plan.author_kind))
        versions = PlanVersion.objects.filter(plan=plan)
        self.assertEqual([2, 1], [v.number for v in versions])
        self.assertEqual("local", versions.get(number=1).author_kind)
        self.assertEqual(3, versions.get(number=1).content["start_level"])
        self.assertContains(self.client.get(self.plan_url(plan)), "<polyline points=")  # the route sketch
        page = self.client.get(self.plan_url(plan))
        self.assertContains(page, "v1 ")
        self.assertContains(page, "v2 ")

    def test_a_bad_form_names_the_field_and_writes_nothing(self):
        response = self.make_plan(self.dave, "相川 一", route="38.1, 138.2\nnot a point", destination_other="")
        self.assertEqual(400, response.status_code)
        self.assertContains(response, "2行目", status_code=400)
        self.assertContains(response, "避難所を選ぶか、他の場所を入力してください。", status_code=400)
        self.assertFalse(Plan.objects.exists())

    def test_a_shelter_of_the_master_is_a_destination(self):
        shelter = Shelter.objects.create(common_id="t-plan", municipality=self.municipality, district=self.aikawa,
                                         name="相川小学校", lat=38.03, lon=138.24, is_designated_shelter=True,
                                         source="gsi")
        self.make_plan(self.dave, "相川 一", destination_shelter=shelter.pk, destination_other="")
        self.assertContains(self.client.get(self.plan_url(self.plan_of("相川 一"))), "相川小学校")


class SupporterTests(PlanTestCase):
    def test_a_plan_is_complete_only_when_every_supporter_consented(self):
        self.make_plan(self.dave, "相川 一")
        plan = self.plan_of("相川 一")
        self.assertContains(self.client.get(self.plan_url(plan)), INCOMPLETE)  # nobody named yet
        self.add_supporter(self.dave, plan, state="no_answer")
        self.assertContains(self.client.get(self.plan_url(plan)), INCOMPLETE)
        supporter = plan.supporters.get()
        self.client.post(reverse("registry:plan_supporter", args=[supporter.pk]), {
            "state": "consented", "text_version": "plan-2026-1", "method": "mail",
            "given_on": timezone.localdate().isoformat()})
        self.assertContains(self.client.get(self.plan_url(plan)), COMPLETE)
        self.assertEqual(2, supporter.consents.count())  # the history stays
        self.add_supporter(self.dave, plan, name="二人目", state="declined")
        self.assertContains(self.client.get(self.plan_url(plan)), INCOMPLETE)
        second = plan.supporters.get(relation="neighbour", consents__state="declined")
        self.client.post(reverse("registry:plan_supporter", args=[second.pk]), {"remove": "1"})
        self.assertContains(self.client.get(self.plan_url(plan)), COMPLETE)

    def test_a_supporters_consent_records_version_method_and_date(self):
        self.make_plan(self.dave, "相川 一")
        self.add_supporter(self.dave, self.plan_of("相川 一"), method="counter", text_version="plan-v9",
                           given_on="2026-11-30")
        answer = self.plan_of("相川 一").supporters.get().consents.get()
        self.assertEqual(("consented", "plan-v9", "counter", date(2026, 11, 30), self.dave),
                         (answer.state, answer.text_version, answer.method, answer.given_on, answer.recorded_by))

    def test_a_supporter_needs_a_name_phone_and_an_answer_date_not_in_the_future(self):
        self.make_plan(self.dave, "相川 一")
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = self.add_supporter(self.dave, self.plan_of("相川 一"), phone="", given_on=tomorrow)
        self.assertEqual(400, response.status_code)
        self.assertContains(response, "未来の日付は入力できません。", status_code=400)
        self.assertFalse(self.plan_of("相川 一").supporters.exists())

    def test_only_writers_add_supporters_or_record_their_answers(self):
        self.make_plan(self.alice, "両津 一", author_kind="city")
        plan = self.plan_of("両津 一")
        self.add_supporter(self.alice, plan)
        self.assertEqual(404, self.add_supporter(self.bob, plan).status_code)
        supporter = plan.supporters.get()
        self.assertEqual(404, self.client.post(reverse("registry:plan_supporter", args=[supporter.pk]),
                                               {"remove": "1"}).status_code)
        self.assertIsNone(plan.supporters.get().removed_at)


class ReadingTests(PlanTestCase):
    def test_a_reading_class_sees_a_plan_only_once_every_supporter_consented(self):
        self.make_plan(self.alice, "両津 一", author_kind="city")
        plan = self.plan_of("両津 一")
        self.add_supporter(self.alice, plan, state="no_answer")
        self.login(self.bob)
        self.assertEqual(404, self.client.get(self.plan_url(plan)).status_code)
        self.login(self.alice)
        supporter = plan.supporters.get()
        self.client.post(reverse("registry:plan_supporter", args=[supporter.pk]), {
            "state": "consented", "text_version": "plan-2026-1", "method": "visit",
            "given_on": timezone.localdate().isoformat()})
        self.login(self.bob)
        page = self.client.get(self.plan_url(plan))
        self.assertContains(page, "両津 一")
        self.assertContains(page, SENTINEL)
        self.assertNotContains(page, reverse("registry:plan_edit", args=[self.people["両津 一"].pk]))
        self.assertContains(page, reverse("registry:plan_print", args=[plan.pk]))
        look = AccessLog.objects.filter(actor=self.bob, person=self.people["両津 一"]).get()
        self.assertEqual(("fire_corps", "49-11-2"), (look.recipient_class, look.basis))

    def test_a_class_without_the_persons_plan_consent_sees_it_only_under_an_activation(self):
        self.make_plan(self.alice, "相川 三", author_kind="city")
        plan = self.plan_of("相川 三")
        self.add_supporter(self.alice, plan)
        self.login(self.dave)
        self.assertEqual(404, self.client.get(self.plan_url(plan, "disaster_response")).status_code)
        self.login(self.alice)
        self.client.post(reverse("registry:activations"), {"districts": [self.aikawa.pk], "reason": "大雨特別警報",
                                                           "hours": 6})
        self.login(self.dave)
        page = self.client.get(self.plan_url(plan, "disaster_response"))
        self.assertContains(page, "相川 三")
        self.assertContains(page, 'data-basis="49-11-3"')
        look = AccessLog.objects.filter(actor=self.dave, person=self.people["相川 三"]).get()
        self.assertEqual(("49-11-3", "disaster_response"), (look.basis, look.purpose))

    def test_a_withdrawn_plan_consent_hides_the_plan_again(self):
        self.make_plan(self.dave, "相川 一")
        plan = self.plan_of("相川 一")
        self.assertEqual(200, self.client.get(self.plan_url(plan)).status_code)
        self.answer("相川 一", RecipientClass.MINSEI, Scope.PLAN, Consent.State.DECLINED)
        self.assertEqual(404, self.client.get(self.plan_url(plan)).status_code)

    def test_each_view_and_print_is_in_the_access_log_with_why(self):
        self.make_plan(self.dave, "相川 一")
        plan = self.plan_of("相川 一")
        before = AccessLog.objects.count()
        self.client.get(self.plan_url(plan, "drill"))
        self.client.get(self.plan_url(plan, "consent_followup", "registry:plan_print"))
        rows = list(AccessLog.objects.order_by("id")[before:])
        self.assertEqual([("view", "drill"), ("print", "consent_followup")], [(r.action, r.purpose) for r in rows])
        self.assertIn("plan.route", rows[0].fields)
        self.assertIn("name", rows[0].fields)
        self.assertEqual({self.people["相川 一"].pk}, {r.person_id for r in rows})

    def test_it_asks_why_before_showing_a_plan(self):
        self.make_plan(self.dave, "相川 一")
        before = AccessLog.objects.count()
        for name in ("registry:plan", "registry:plan_print"):
            page = self.client.get(reverse(name, args=[self.plan_of("相川 一").pk]))
            self.assertContains(page, 'name="purpose"')
            self.assertNotContains(page, "相川 一")
        self.assertEqual(before, AccessLog.objects.count())

    def test_the_print_is_a4_portrait_with_the_reader_and_time_on_every_page(self):
        self.make_plan(self.dave, "相川 一")
        page = self.client.get(self.plan_url(self.plan_of("相川 一"), name="registry:plan_print"))
        self.assertContains(page, "size: A4 portrait")
        self.assertContains(page, "display: table-header-group")  # repeated on every printed page
        self.assertContains(page, "display: table-footer-group")
        mark = f"民生委員 デイブ {timezone.localtime():%Y-%m-%d}"
        self.assertContains(page, mark, count=4)  # the title; the header, the footer and the diagonal line
        self.assertContains(page, "お薬手帳")
        self.assertContains(page, "<polyline points=")  # the route sketch: paper has no map tiles
        self.assertIn("no-store", page["Cache-Control"])

    def test_a_writer_sees_supporters_waiting_for_consent_and_a_reader_does_not(self):
        self.make_plan(self.alice, "両津 一", author_kind="city")
        plan = self.plan_of("両津 一")
        self.add_supporter(self.alice, plan, name="同意済 さん")
        self.add_supporter(self.alice, plan, name="未回答 さん", state="no_answer")
        self.assertContains(self.client.get(self.plan_url(plan)), "未回答 さん")
        self.login(self.bob)
        self.assertEqual(404, self.client.get(self.plan_url(plan, "disaster_response")).status_code)
        self.login(self.alice)
        self.client.post(reverse("registry:activations"), {"districts": [self.ryotsu.pk], "reason": "大雨特別警報",
                                                           "hours": 6})
        self.login(self.bob)
        page = self.client.get(self.plan_url(plan, "disaster_response"))
        self.assertContains(page, "同意済 さん")
        self.assertNotContains(page, "未回答 さん")


class CoverageTests(PlanTestCase):
    def row(self, page, code):
        import re

        match = re.search(rf'<tr data-district="{code}">.*?</tr>', page.content.decode(), re.S)
        return [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", match.group(0))]

    def test_it_counts_people_consent_plans_complete_plans_and_overdue_reviews_per_district(self):
        self.make_plan(self.dave, "相川 一")
        self.add_supporter(self.dave, self.plan_of("相川 一"))
        self.make_plan(self.alice, "相川 三", author_kind="city")
        self.add_supporter(self.alice, self.plan_of("相川 三"), state="declined")
        self.make_plan(self.alice, "両津 一", author_kind="city")
        Plan.objects.filter(pk=self.plan_of("両津 一").pk).update(review_due=date(2026, 1, 1))  # time passes
        page = self.client.get(reverse("registry:plans"))
        self.assertEqual([3, 2, 2, 1, 0], self.row(page, "aikawa"))
        self.assertEqual([1, 1, 1, 0, 1], self.row(page, "ryotsu"))
        self.assertEqual([4, 3, 3, 1, 1], self.row(page, "total"))

    def test_the_kpi_provider_counts_people_with_a_complete_plan_today_only(self):
        from toki.kpi.providers import measure
        from toki.lib.metrics import Period, Unavailable

        self.make_plan(self.dave, "相川 一")
        self.add_supporter(self.dave, self.plan_of("相川 一"))
        self.make_plan(self.alice, "両津 一", author_kind="city")  # no supporter yet: not counted
        today = timezone.localdate()
        result = measure("registry.plan_coverage", self.municipality, Period(date(today.year, 4, 1), today))
        self.assertEqual(("25.00", 1, 4), (str(result.value), result.numerator, result.denominator))
        past = measure("registry.plan_coverage", self.municipality, Period(date(2025, 4, 1), date(2026, 3, 31)))
        self.assertIsInstance(past, Unavailable)

    def test_a_minsei_sees_the_figures_of_his_district_only(self):
        self.login(self.dave)
        page = self.client.get(reverse("registry:plans"))
        self.assertContains(page, 'data-district="aikawa"')
        self.assertNotContains(page, 'data-district="ryotsu"')

    def test_the_district_page_lists_who_may_have_a_plan_and_logs_the_look(self):
        self.make_plan(self.dave, "相川 一")
        before = AccessLog.objects.count()
        page = self.client.get(reverse("registry:plans_district", args=[self.aikawa.pk]) + "?purpose=drill")
        self.assertContains(page, "計画を開く")  # the default language is Japanese
        self.assertContains(page, "計画への同意なし")  # 相川 二 (and 相川 三 for the 民生委員's class)
        self.assertEqual(3, AccessLog.objects.count() - before)
        self.assertEqual(404, self.client.get(reverse("registry:plans_district", args=[self.ryotsu.pk])
                                              + "?purpose=drill").status_code)


class OutsiderTests(PlanTestCase):
    def test_outsiders_get_404_on_every_plan_url(self):
        self.make_plan(self.alice, "相川 一", author_kind="city")
        plan = self.plan_of("相川 一")
        self.add_supporter(self.alice, plan)
        supporter = plan.supporters.get()
        person = self.people["相川 一"].pk
        gets = [reverse("registry:plans"), reverse("registry:plans_district", args=[self.aikawa.pk]),
                reverse("registry:plan_edit", args=[person]), self.plan_url(plan),
                self.plan_url(plan, name="registry:plan_print"), reverse("registry:plan_map") + "?purpose=drill",
                reverse("registry:plan_map_data") + "?purpose=drill"]
        posts = [reverse("registry:plan_edit", args=[person]), reverse("registry:plan_supporters", args=[plan.pk]),
                 reverse("registry:plan_supporter", args=[supporter.pk])]
        for user in (self.eve, self.carol):
            self.login(user)
            for url in gets:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(404, self.client.get(url).status_code)
            for url in posts:
                with self.subTest(user=user.username, url=url, method="post"):
                    self.assertEqual(404, self.client.post(url, {**plan_form(), **supporter_form()}).status_code)
        self.client.logout()
        for url in gets:
            with self.subTest(anonymous=url):
                self.assertEqual(302, self.client.get(url).status_code)
        self.assertEqual(1, Plan.objects.get().version)
        self.assertEqual(1, supporter.consents.count())
