from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from toki.accounts.models import User
from toki.areas.models import District
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin
from toki.test import BaseTestCase


class RegistryDemoTests(RegistryLoginMixin, BaseTestCase):
    @override_settings(**KEYS_V1)
    def test_mina_sees_the_consented_people_of_aikawa_only(self):
        call_command("seed_registry_demo", stdout=StringIO())
        call_command("seed_registry_demo", stdout=StringIO())  # idempotent
        self.login(User.objects.get(username="mina"))
        aikawa = District.objects.get(code="aikawa")
        page = self.client.get(reverse("registry:district", args=[aikawa.pk]) + "?purpose=support_planning")
        self.assertContains(page, "相川 ハナ")
        self.assertContains(page, "相川 トメ")
        for hidden in ("相川 ゲン", "相川 キヨ", "相川 サブロウ", "両津 ミツ"):
            self.assertNotContains(page, hidden)

    @override_settings(**KEYS_V1)
    def test_two_applications_wait_and_one_mailing_goes_to_aikawas_unanswered(self):
        from toki.registry.models import Application, ConsentMode, Mailing

        call_command("seed_registry_demo", stdout=StringIO())
        call_command("seed_registry_demo", stdout=StringIO())  # idempotent
        self.assertEqual(2, Application.objects.filter(state=Application.State.PENDING).count())
        self.login(User.objects.get(username="alice"))
        self.assertContains(self.client.get(reverse("registry:applications")), "data-application=", count=2)
        mailing = Mailing.objects.get()
        self.assertEqual(2, mailing.items.count())  # 相川 キヨ (未回答) and 相川 サブロウ (never asked)
        self.assertEqual("opt_in", ConsentMode.objects.get().mode)

    @override_settings(TOKI_REGISTRY_KEYS="", TOKI_REGISTRY_INDEX_KEY="")
    def test_without_keys_it_says_so(self):
        with self.assertRaisesMessage(CommandError, "is not set"):
            call_command("seed_registry_demo", stdout=StringIO())

    @override_settings(**KEYS_V1)
    def test_after_an_activation_mina_sees_everyone_in_aikawa_each_look_logged(self):
        from datetime import timedelta

        from django.utils import timezone

        from toki.registry import actions
        from toki.registry.models import AccessLog

        call_command("seed_registry_demo", stdout=StringIO())
        aikawa = District.objects.get(code="aikawa")
        actions.declare_activation(actor=self.alice, districts=[aikawa], reason="地震 震度6強",
                                   expires_at=timezone.now() + timedelta(hours=6))
        mina = User.objects.get(username="mina")
        self.login(mina)
        page = self.client.get(reverse("registry:district", args=[aikawa.pk]) + "?purpose=disaster_response")
        for shown in ("相川 ハナ", "相川 トメ", "相川 ゲン", "相川 キヨ", "相川 サブロウ"):
            self.assertContains(page, shown)
        self.assertNotContains(page, "両津 ミツ")
        logged = AccessLog.objects.filter(actor=mina)
        self.assertEqual(5, logged.count())
        self.assertEqual(3, logged.filter(basis=AccessLog.Basis.DISASTER).count())

    @override_settings(**KEYS_V1)
    def test_the_demo_has_plans_mina_sees_on_her_map_and_a_made_up_hazard_layer(self):
        from toki.registry.models import HazardLayer, Plan

        call_command("seed_registry_demo", stdout=StringIO())
        call_command("seed_registry_demo", stdout=StringIO())  # idempotent
        self.assertEqual(3, Plan.objects.count())
        self.assertTrue(HazardLayer.objects.get().is_demo)
        self.login(User.objects.get(username="mina"))
        data = self.client.get(reverse("registry:plan_map_data") + "?purpose=support_planning").json()
        self.assertEqual(["相川 ハナ", "相川 トメ"], [plan["name"] for plan in data["plans"]])
        complete = Plan.objects.get(pk=data["plans"][0]["plan"])
        page = self.client.get(reverse("registry:plan", args=[complete.pk]) + "?purpose=support_planning")
        self.assertContains(page, 'data-complete="yes"')
        page = self.client.get(reverse("registry:plans"))
        self.assertContains(page, 'data-district="aikawa"')
