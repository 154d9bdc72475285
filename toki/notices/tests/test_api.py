from ninja.testing import TestClient

from toki.notices.api import router
from toki.notices.tests.helpers import EN, JA, make_notice
from toki.test import BaseTestCase


class NoticesApiTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.api = TestClient(router)

    def test_it_serves_published_notices_in_the_requested_language(self):
        make_notice(self, versions={"ja": JA, "en": EN}, is_important=True, districts=("ryotsu",))
        make_notice(self, versions={"ja": ("下書き", "<p>a</p>")}, publish=False)
        data = self.api.get("?lang=en").json()
        self.assertEqual(len(data), 1)
        item = data[0]
        self.assertEqual((item["language"], item["is_fallback"], item["title"]), ("en", False, EN[0]))
        self.assertEqual((item["is_important"], item["districts"], item["category"]), (True, ["ryotsu"], "life"))
        self.assertEqual(item["body_text"], "Keep a torch at hand.")

    def test_it_falls_back_to_japanese_and_says_so(self):
        make_notice(self)
        item = self.api.get("?lang=ko").json()[0]
        self.assertEqual((item["language"], item["is_fallback"], item["title"]), ("ja", True, JA[0]))

    def test_it_treats_an_unknown_language_as_japanese(self):
        make_notice(self, versions={"ja": JA, "en": EN})
        item = self.api.get("?lang=xx").json()[0]
        self.assertEqual((item["language"], item["is_fallback"]), ("ja", False))

    def test_it_filters_by_category_and_district(self):
        make_notice(self, category="health", districts=("aikawa",))
        transport = make_notice(self, category="transport")
        self.assertEqual([n["id"] for n in self.api.get("?category=transport").json()], [transport.pk])
        self.assertEqual([n["id"] for n in self.api.get("?district=ryotsu").json()], [transport.pk])
        self.assertEqual(self.api.get("?district=nowhere").json(), [])
        self.assertEqual(self.api.get("?category=gossip").status_code, 422)

    def test_it_serves_only_clean_html(self):
        from toki.notices.models import NoticeVersion

        notice = make_notice(self)
        NoticeVersion.objects.filter(notice=notice).update(body='<p onclick="x()">a</p><script>alert(1)</script>')
        self.assertEqual(self.api.get("").json()[0]["body_html"], "<p>a</p>")

    def test_it_pins_the_query_count(self):
        for _ in range(5):
            make_notice(self, versions={"ja": JA, "en": EN}, districts=("ryotsu",))
        # municipality, page, versions, districts
        with self.assertNumQueries(4):
            self.api.get("?lang=en")
