from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from toki.accounts.models import User
from toki.areas.models import District
from toki.registry.tests.helpers import KEYS_V1
from toki.test import BaseTestCase


class RegistryDemoTests(BaseTestCase):
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

    @override_settings(TOKI_REGISTRY_KEYS="", TOKI_REGISTRY_INDEX_KEY="")
    def test_without_keys_it_says_so(self):
        with self.assertRaisesMessage(CommandError, "is not set"):
            call_command("seed_registry_demo", stdout=StringIO())
