from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from toki.notices import actions
from toki.notices.models import Notice
from toki.notices.tests.helpers import EN, JA, make_notice
from toki.test import BaseTestCase

FALLBACK_NOTE = "This notice is available in Japanese only"


class PublicListTests(BaseTestCase):
    url = reverse("notices:list")

    def in_language(self, code):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = code

    def test_it_lists_published_notices_newest_first(self):
        older = make_notice(self, versions={"ja": ("古いお知らせ", "<p>a</p>")})
        Notice.objects.filter(pk=older.pk).update(published_at=older.published_at - timedelta(days=1))
        make_notice(self, versions={"ja": ("新しいお知らせ", "<p>b</p>")})
        make_notice(self, versions={"ja": ("下書き", "<p>c</p>")}, publish=False)
        content = self.client.get(self.url).content.decode()
        self.assertLess(content.index("新しいお知らせ"), content.index("古いお知らせ"))
        self.assertNotIn("下書き", content)

    def test_it_marks_important_notices(self):
        make_notice(self, is_important=True)
        self.assertContains(self.client.get(self.url), "notice--warning")

    def test_it_filters_by_category(self):
        make_notice(self, category="health", versions={"ja": ("健康のお知らせ", "<p>a</p>")})
        make_notice(self, category="transport", versions={"ja": ("交通のお知らせ", "<p>b</p>")})
        response = self.client.get(self.url, {"category": "health"})
        self.assertContains(response, "健康のお知らせ")
        self.assertNotContains(response, "交通のお知らせ")

    def test_it_ignores_an_unknown_category(self):
        make_notice(self)
        self.assertContains(self.client.get(self.url, {"category": "<script>"}), JA[0])

    def test_it_paginates(self):
        for i in range(21):
            make_notice(self, versions={"ja": (f"お知らせ{i:02d}", "<p>a</p>")})
        first = self.client.get(self.url)
        self.assertContains(first, "page=2")
        self.assertEqual(len(first.context["items"]), 20)
        self.assertEqual(len(self.client.get(self.url, {"page": "2"}).context["items"]), 1)

    def test_it_shows_the_readers_language_when_there_is_a_version(self):
        make_notice(self, versions={"ja": JA, "en": EN})
        self.in_language("en")
        response = self.client.get(self.url)
        self.assertContains(response, EN[0])
        self.assertNotContains(response, FALLBACK_NOTE)

    def test_it_falls_back_to_japanese_with_a_note(self):
        make_notice(self)
        self.in_language("en")
        response = self.client.get(self.url)
        self.assertContains(response, JA[0])
        self.assertContains(response, FALLBACK_NOTE)
        self.assertContains(response, 'lang="ja"')

    def test_it_pins_the_query_count(self):
        for i in range(5):
            make_notice(self, versions={"ja": (f"お知らせ{i}", "<p>a</p>"), "en": EN}, districts=("ryotsu",))
        # municipality (context processor and view), count, page, versions, districts
        with self.assertNumQueries(7):
            self.client.get(self.url)


class PublicDetailTests(BaseTestCase):
    def url(self, notice):
        return reverse("notices:detail", args=[notice.pk])

    def test_it_shows_a_published_notice(self):
        notice = make_notice(self, districts=("ryotsu",))
        response = self.client.get(self.url(notice))
        self.assertContains(response, JA[0])
        self.assertContains(response, "<p>懐中電灯を用意しましょう。</p>", html=True)
        self.assertContains(response, "両津")

    def test_it_is_404_for_drafts_and_withdrawn_notices(self):
        draft = make_notice(self, publish=False)
        withdrawn = actions.unpublish_notice(acting_user=self.alice, notice=make_notice(self))
        for notice in (draft, withdrawn):
            with self.subTest(notice=notice.pk):
                self.assertEqual(self.client.get(self.url(notice)).status_code, 404)
        self.assertEqual(self.client.get("/notices/999999/").status_code, 404)

    def test_it_hides_drafts_even_from_staff_on_the_public_page(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(self.url(make_notice(self, publish=False))).status_code, 404)

    def test_it_shows_the_english_version_to_english_readers(self):
        notice = make_notice(self, versions={"ja": JA, "en": EN})
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.get(self.url(notice))
        self.assertContains(response, EN[0])
        self.assertNotContains(response, FALLBACK_NOTE)

    def test_it_falls_back_to_japanese_for_easy_japanese_readers(self):
        notice = make_notice(self, versions={"ja": JA, "en": EN})
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja-easy"
        response = self.client.get(self.url(notice))
        self.assertContains(response, JA[0])
        self.assertTrue(response.context["item"].is_fallback)

    def test_it_shows_no_fallback_note_to_japanese_readers(self):
        notice = make_notice(self)
        response = self.client.get(self.url(notice))
        self.assertFalse(response.context["item"].is_fallback)

    def test_it_sets_no_cookie_so_caches_can_keep_it(self):
        response = self.client.get(self.url(make_notice(self)))
        self.assertEqual(dict(response.cookies), {})
