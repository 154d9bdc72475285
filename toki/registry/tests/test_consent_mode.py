"""The consent mode as versioned, audited data: records through the page, the mode in force on a day, every mode
switchable (a 民生委員's list follows it), the ordinance each non-opt-in mode needs, the setting while no record
exists, and outsiders refused."""

from datetime import date, timedelta
from io import StringIO

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from toki.accounts.models import AuditEvent, OrgUnit, User
from toki.areas.models import District
from toki.registry import actions, modes
from toki.registry.models import Consent, ConsentMode, Person, RecipientClass, Scope
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase

State = Consent.State
ORDINANCE = "佐渡市避難行動要支援者名簿情報の提供に関する条例(令和8年条例第1号)"


@override_settings(**KEYS_V1)
class ConsentModeTests(RegistryLoginMixin, BaseTestCase):
    aikawa: District
    dave: User

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row("A1", name="相川 同意"), person_row("A2", name="相川 拒否"),
                person_row("A3", name="相川 未回答"), person_row("A4", name="相川 未確認")]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
            actions.register_recipient(actor=cls.alice, org_unit=OrgUnit.objects.get(name="佐渡市社会福祉協議会"),
                                       recipient_class=RecipientClass.MINSEI, agreement_on=date(2026, 4, 1),
                                       pledge_on=date(2026, 4, 1), training_on=date(2026, 5, 1))
            states = {"相川 同意": State.CONSENTED, "相川 拒否": State.REFUSED, "相川 未回答": State.NO_ANSWER}
            for person in Person.objects.all():
                if person.name in states:
                    actions.record_consent(actor=cls.alice, person=person, recipient_class=RecipientClass.MINSEI,
                                           scope=Scope.ROSTER, state=states[person.name], text_version="2026-1",
                                           method=Consent.Method.MAIL)
        cls.aikawa = District.objects.get(code="aikawa")

    def change(self, mode, *, ordinance=ORDINANCE, starts_on=None, reason="議会で条例が可決された", **classes):
        self.login(self.alice)
        data = {"mode": mode, "ordinance": ordinance, "reason": reason,
                "starts_on": (starts_on or timezone.localdate()).isoformat(),
                **{f"class_{c}": m for c, m in classes.items()}}
        return self.client.post(reverse("registry:consent_mode"), data)

    def names_dave_sees(self) -> list[str]:
        self.login(self.dave)
        page = self.client.get(reverse("registry:district", args=[self.aikawa.pk]) + "?purpose=support_planning")
        self.assertEqual(200, page.status_code)
        return sorted(n for n in ("相川 同意", "相川 拒否", "相川 未回答", "相川 未確認") if n in page.content.decode())

    def test_every_mode_is_switchable_from_the_page_and_the_list_follows_it(self):
        expected = {
            "opt_in": ["相川 同意"],
            "opt_out": ["相川 同意", "相川 未回答", "相川 未確認"],
            "presumed": ["相川 同意", "相川 未回答"],
            "not_required": ["相川 同意", "相川 拒否", "相川 未回答", "相川 未確認"],
        }
        for mode, names in expected.items():
            with self.subTest(mode=mode):
                self.assertEqual(302, self.change(mode).status_code)
                self.assertEqual(names, self.names_dave_sees())
        self.assertEqual(302, self.change("mixed", minsei="opt_out", police="presumed").status_code)
        self.assertEqual(expected["opt_out"], self.names_dave_sees())
        self.assertEqual("presumed", modes.consent_mode_for(RecipientClass.POLICE))
        self.assertEqual("opt_in", modes.consent_mode_for(RecipientClass.FIRE))  # unlisted: the statute's rule

    def test_a_change_is_an_audited_act_with_its_history(self):
        self.change("opt_out")
        self.change("opt_in", ordinance="", reason="条例の廃止")
        event = AuditEvent.objects.filter(action="registry.consent_mode_changed").order_by("-id").first()
        self.assertEqual(("opt_in", "opt_out"), (event.changes["mode"], event.changes["before"]))
        self.assertEqual(self.alice.pk, event.actor_id)
        page = self.client.get(reverse("registry:consent_mode"))
        self.assertContains(page, ORDINANCE)
        self.assertContains(page, "条例の廃止")
        self.assertEqual(2, page.content.decode().count("data-record="))
        self.assertIn("no-store", page["Cache-Control"])

    def test_the_mode_in_force_is_the_one_of_the_day(self):
        today = timezone.localdate()
        self.change("opt_out")
        self.change("not_required", starts_on=today + timedelta(days=30))
        self.assertEqual("opt_out", modes.consent_mode_for(RecipientClass.MINSEI))
        self.assertEqual("not_required", modes.consent_mode_for(RecipientClass.MINSEI, today + timedelta(days=30)))
        self.assertEqual("opt_in", modes.consent_mode_for(RecipientClass.MINSEI, today - timedelta(days=1)))
        self.assertEqual(["相川 同意", "相川 未回答", "相川 未確認"], self.names_dave_sees())

    def test_anything_but_opt_in_needs_its_ordinance(self):
        page = self.change("opt_out", ordinance="")
        self.assertEqual(400, page.status_code)
        self.assertContains(page, "anything but opt-in needs the ordinance", status_code=400)
        self.assertEqual(400, self.change("mixed", ordinance="", minsei="not_required").status_code)
        self.assertFalse(ConsentMode.objects.exists())

    def test_a_change_cannot_start_in_the_past_nor_come_without_a_reason(self):
        self.assertEqual(400, self.change("opt_out", starts_on=timezone.localdate() - timedelta(days=1)).status_code)
        self.assertEqual(400, self.change("opt_out", reason="").status_code)
        self.assertFalse(ConsentMode.objects.exists())

    @override_settings(TOKI_REGISTRY_CONSENT_MODE="opt_out")
    def test_without_a_record_the_setting_answers_and_seeds_the_first_record(self):
        self.assertEqual("opt_out", modes.consent_mode_for(RecipientClass.MINSEI))
        self.login(self.alice)
        self.assertContains(self.client.get(reverse("registry:consent_mode")), 'data-mode="opt_out"')
        record = modes.seed_from_setting(on=timezone.localdate())
        self.assertEqual("opt_out", record.mode)
        self.assertIsNone(modes.seed_from_setting(on=timezone.localdate()))  # once only
        with override_settings(TOKI_REGISTRY_CONSENT_MODE="opt_in"):
            self.assertEqual("opt_out", modes.consent_mode_for(RecipientClass.MINSEI))  # the record wins

    def test_only_officers_change_it(self):
        with self.assertRaises(PermissionDenied):
            modes.change_consent_mode(actor=self.dave, mode="opt_in", starts_on=timezone.localdate(), reason="x")
        for user in (self.dave, self.eve, self.bob):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(404, self.client.get(reverse("registry:consent_mode")).status_code)
                self.assertEqual(404, self.client.post(reverse("registry:consent_mode"), {
                    "mode": "not_required", "ordinance": "x", "reason": "x",
                    "starts_on": timezone.localdate().isoformat()}).status_code)
        self.assertFalse(ConsentMode.objects.exists())
