"""The registry's pages speak the reader's language: in Japanese (the default) an officer reads the statute's
terms (氏名, 避難支援等を必要とする事由, 第49条の11第3項 …) and no English label of the pages, forms, choices or
codes is left; the other catalogues translate them too."""

import re
from html.parser import HTMLParser

from django.test import override_settings
from django.urls import reverse

from toki.accounts.models import User
from toki.areas.models import District
from toki.registry.models import Activation, Person, SafetyRound
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, import_with_minsei_consent, person_row
from toki.test import BaseTestCase

# English labels of the registry's pages, forms, model fields, choices and codes that an officer would meet on
# these pages if a translation were missing (checked as whole words in the visible text).
ENGLISH = (
    "Register of people who need support to evacuate", "Every look at the register", "Safety checks",
    "Disaster activations", "Disaster activation", "Register refreshes", "Access log", "Why do you open this list",
    "Open the list", "Planning support", "support_planning", "disaster_response", "Shown to", "this look is recorded",
    "Numbered, for you only", "name (kana)", "date of birth", "phone or other contact", "reason support is needed",
    "care level", "medical devices", "emergency contacts", "why the person is on the register", "Person id",
    "Legal basis", "Recipient class", "Items", "Purpose", "Consent or ordinance", "Welfare commissioner", "minsei",
    "List", "Declare an activation", "Affected districts", "Why sharing is widened", "For how many hours",
    "Declared by", "Everyone on the register there", "Districts", "Reason", "Expires at", "Looks under this",
    "Extend", "End now", "Open a round", "Rounds", "Drill", "Close the round", "Lists", "Total",
    "Not yet confirmed", "Who answered", "How (the ladder)", "Relation of who answered", "Record", "Status",
    "Tablet household", "Second factor", "authenticator app", "Continue", "Filter", "Nothing logged",
    "female", "alone", "care_level", "physical",  # stored codes of the register's values (labels.py)
)
JAPANESE = ("避難行動要支援者名簿", "氏名", "生年月日", "避難支援等を必要とする事由", "緊急連絡先", "閲覧記録",
            "法的根拠", "同意又は条例（第49条の11第2項）", "民生委員", "支援の計画", "安否確認", "未確認", "二要素認証",
            "災害時の名簿提供（災害対策基本法第49条の11第3項）")


class VisibleText(HTMLParser):
    """The text a reader sees (and option labels), without scripts, styles or attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skipping -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_left(text: str) -> list[str]:
    return [label for label in ENGLISH if re.search(rf"(?<![A-Za-z_]){re.escape(label)}(?![A-Za-z_])", text)]


@override_settings(**KEYS_V1)
class RegistryPageLanguageTests(RegistryLoginMixin, BaseTestCase):
    aikawa: District
    alice: User
    dave: User

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row("A1", name="相川 一", medical_devices="人工呼吸器"), person_row("A2", name="相川 二")]
        with override_settings(**KEYS_V1):
            import_with_minsei_consent(cls.alice, rows, consented=("相川 一",))
        cls.aikawa = District.objects.get(code="aikawa")

    def pages(self) -> dict[str, str]:
        """Every main page of the register as an officer meets it: a list looked at by the 民生委員 (so the access
        log has a class), a live activation, an open safety round."""
        self.login(self.dave)
        self.client.get(reverse("registry:district", args=[self.aikawa.pk]) + "?purpose=support_planning")
        self.login(self.alice)
        if not Activation.objects.exists():
            self.client.post(reverse("registry:activations"), {"districts": [self.aikawa.pk],
                                                                "reason": "大雨特別警報", "hours": 12})
        if not SafetyRound.objects.exists():
            self.client.post(reverse("registry:safety_rounds"), {"districts": [self.aikawa.pk]})
        activation, round_ = Activation.objects.get(), SafetyRound.objects.get()
        person = Person.objects.order_by("pk")[0]
        district = reverse("registry:district", args=[self.aikawa.pk])
        urls = {
            "index": reverse("registry:index"), "purpose": district, "list": district + "?purpose=support_planning",
            "access log": reverse("registry:access_log"), "activations": reverse("registry:activations"),
            "activation": reverse("registry:activation", args=[activation.pk]),
            "safety rounds": reverse("registry:safety_rounds"),
            "safety round": reverse("registry:safety_round", args=[round_.pk]),
            "safety list": reverse("registry:safety_district", args=[round_.pk, self.aikawa.pk]),
            "household": reverse("registry:person_household", args=[person.pk]),
            "refreshes": reverse("registry:refreshes"),
        }
        texts = {}
        for name, url in urls.items():
            response = self.client.get(url)
            self.assertEqual(200, response.status_code, name)
            texts[name] = visible_text(response.content.decode())
        self.client.logout()
        self.client.force_login(self.alice)  # no second factor given yet: the enrolment page
        texts["second factor"] = visible_text(self.client.get(reverse("registry:index"), follow=True)
                                              .content.decode())
        return texts

    def test_an_officer_reads_every_page_in_japanese_with_the_statutes_terms(self):
        texts = self.pages()
        for name, text in texts.items():
            with self.subTest(page=name):
                self.assertEqual([], english_left(text), text)
        everything = " ".join(texts.values())
        for term in JAPANESE:
            with self.subTest(term=term):
                self.assertIn(term, everything)

    def test_the_check_finds_an_english_label(self):
        self.assertEqual(["Legal basis", "Purpose"], english_left("日時 Legal basis Purpose — support_plan"))

    def test_the_other_catalogues_translate_the_pages_too(self):
        expected = {"ko": ("대피행동 요지원자 명부", "성명"), "zh-hans": ("避难行动需支援者名册", "姓名"),
                    "ja-easy": ("避難行動要支援者名簿", "氏名")}
        for code, terms in expected.items():
            with self.subTest(language=code):
                self.client.get(reverse("portal:choose_language", args=[code]), {"next": "/"})
                texts = self.pages()
                for name, text in texts.items():
                    self.assertEqual([], english_left(text), f"{code} {name}: {text}")
                for term in terms:
                    self.assertIn(term, " ".join(texts.values()))
