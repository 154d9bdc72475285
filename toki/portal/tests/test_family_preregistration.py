"""Issue 14 item 9: a family pre-registers in one form (bounded), and the card image carries the names and short
instructions (drawn by the reader's browser from the page's data)."""

import json

from django.urls import reverse

from toki.portal.tests.test_shelter_public import FORM
from toki.shelters.forms import PRE_REGISTRATION_PEOPLE
from toki.shelters.models import Household, Member
from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import BaseTestCase

FAMILY = {**FORM, "m-TOTAL_FORMS": 3, "m-MAX_NUM_FORMS": PRE_REGISTRATION_PEOPLE,
          "m-1-name_kana": "さど たろう", "m-1-sex": "male", "m-1-relation": "夫",
          "m-2-name_kana": "さど みき", "m-2-sex": "female", "m-2-birth_date": "2015-06-01"}


class FamilyPreRegistrationTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def test_the_form_offers_a_family_of_people(self):
        page = self.client.get(reverse("portal:preregister")).content.decode()
        self.assertIn(f'name="m-{PRE_REGISTRATION_PEOPLE - 1}-name_kana"', page)
        self.assertNotIn(f'name="m-{PRE_REGISTRATION_PEOPLE}-name_kana"', page)
        self.assertIn("一緒に避難する家族", page)

    def test_a_family_registers_in_one_form_as_one_household(self):
        response = self.client.post(reverse("portal:preregister"), FAMILY)
        self.assertRedirects(response, reverse("portal:preregistration_card"))
        household = Household.objects.get()
        self.assertEqual(sorted(household.members.values_list("kana_key", flat=True)),
                         ["サドタロウ", "サドハナコ", "サドミキ"])

    def test_empty_people_are_skipped_and_a_person_without_a_name_is_refused(self):
        empty = {f"m-{i}-sex": "unknown" for i in range(3, 6)}  # as a browser sends the untouched selects
        self.client.post(reverse("portal:preregister"), {**FAMILY, **empty, "m-TOTAL_FORMS": 6})
        self.assertEqual(Member.objects.count(), 3)
        Household.objects.all().delete()
        response = self.client.post(reverse("portal:preregister"), {**FORM, "m-TOTAL_FORMS": 2, "m-1-sex": "unknown",
                                                                    "m-1-birth_date": "2015-06-01"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "この方の氏名を入力するか")
        self.assertFalse(Household.objects.exists())

    def test_more_people_than_the_bound_are_refused(self):
        many = {**FAMILY, "m-TOTAL_FORMS": 50}
        for index in range(3, 50):
            many[f"m-{index}-name_kana"] = f"さど {index}"
        response = self.client.post(reverse("portal:preregister"), many)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Household.objects.exists())

    def test_the_card_image_carries_the_names_and_instructions(self):
        self.client.post(reverse("portal:preregister"), FAMILY)
        page = self.client.get(reverse("portal:preregistration_card")).content.decode()
        data = json.loads(page.split('id="qr-card-image" type="application/json">')[1].split("</script>")[0])
        self.assertEqual(len(data["names"]), 3)
        self.assertIn("さど はなこ 佐渡 花子", data["names"])
        self.assertIn("避難所の受付でこのコードを見せてください", data["instructions"][0])
        self.assertEqual(len(data["modules"]), len(data["modules"][0]))  # a square QR matrix
        self.assertIn("js/qr-card.js", page)
