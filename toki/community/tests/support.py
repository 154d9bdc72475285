"""The community tests' world: the personas, two 自治会 with leaders, ten households; a tablet enrolled through
the real pages (staff makes the QR, the device opens its link)."""

import re
from typing import Any

from django.core.cache import cache
from django.test import Client

from toki.community.devices import COOKIE
from toki.community.world import create_community_world
from toki.test import PERSONA_PASSWORD, BaseTestCase

LINK = re.compile(r'id="enrol-url" href="https?://[^/]+(/tablet/enrol/[^/]+/)"')


class CommunityTestCase(BaseTestCase):
    alice: Any  # the personas and districts of PersonasMixin.create_world, and the world below
    kenji: Any
    michiko: Any
    ebisu: Any
    orito: Any
    hana: Any
    nakagawa: Any
    households: list

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        world = create_community_world(cls.municipality, PERSONA_PASSWORD)
        cls.kenji, cls.michiko = world["leaders"]["kenji"], world["leaders"]["michiko"]
        cls.ebisu, cls.orito = world["jichikai"]
        cls.households = world["households"]
        cls.hana = cls.households[0]  # 夷 1班, watch-over
        cls.nakagawa = cls.households[5]  # 下戸 1班

    def setUp(self):
        super().setUp()
        cache.clear()

    def enrol_link(self, household, family_name: str = "") -> str:
        """alice makes the one-time QR on the staff page; the link it encodes."""
        staff = Client()
        staff.force_login(self.alice)
        data = {"family_name": family_name} if family_name else {}
        response = staff.post(f"/community/households/{household.pk}/enrol/", data)
        self.assertEqual(response.status_code, 200)
        found = LINK.search(response.content.decode())
        self.assertIsNotNone(found, "no enrolment link on the page")
        assert found is not None
        return found.group(1)

    def tablet(self, household, family_name: str = "") -> Client:
        """A device of `household`, enrolled through the QR link."""
        device = Client()
        link = self.enrol_link(household, family_name)
        response = device.post(link)
        self.assertEqual(response.status_code, 302)
        self.assertIn(COOKIE, device.cookies)
        return device
