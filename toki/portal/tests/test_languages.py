from pathlib import Path

import polib
from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse

from toki.test import BaseTestCase

CATALOGUES = ("ja", "ja_Easy", "zh_Hans", "ko")


class CatalogueTests(SimpleTestCase):
    def test_it_translates_every_string_in_every_catalogue(self):
        # A missing zh/ko string would silently fall back to Japanese, so none may be missing.
        for locale in CATALOGUES:
            po = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / locale / "LC_MESSAGES" / "django.po"))
            with self.subTest(locale=locale):
                self.assertEqual([e.msgid for e in po.untranslated_entries()], [])
                self.assertEqual([e.msgid for e in po.fuzzy_entries()], [])


class LanguageSwitchTests(BaseTestCase):
    def switch_to(self, code):
        return self.client.get(reverse("portal:choose_language", args=[code]), {"next": "/"})

    def test_it_speaks_japanese_by_default(self):
        response = self.client.get("/")
        self.assertContains(response, '<html lang="ja">')
        self.assertContains(response, "防災情報")

    def test_it_offers_every_language_in_the_switcher(self):
        response = self.client.get("/")
        for _code, name in settings.LANGUAGES:
            self.assertContains(response, name)

    def test_it_remembers_the_chosen_language(self):
        self.switch_to("en")
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")
        response = self.client.get("/")
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Disaster information")

    def test_it_renders_each_language(self):
        expected = {
            "ja-easy": "ぼうさい じょうほう", "zh-hans": "防灾信息", "ko": "재난 정보", "en": "Disaster information",
        }
        for code, text in expected.items():
            with self.subTest(code=code):
                self.switch_to(code)
                self.assertContains(self.client.get("/"), text)

    def test_it_marks_easy_japanese_pages_as_japanese_for_screen_readers(self):
        self.switch_to("ja-easy")
        self.assertContains(self.client.get("/"), '<html lang="ja">')

    def test_it_returns_to_the_page_the_reader_was_on(self):
        response = self.client.get(reverse("portal:choose_language", args=["ko"]), {"next": "/shelters/"})
        self.assertRedirects(response, "/shelters/", fetch_redirect_response=False)

    def test_it_refuses_to_redirect_off_site(self):
        response = self.client.get(reverse("portal:choose_language", args=["en"]), {"next": "https://evil.example/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_it_refuses_an_unknown_language(self):
        self.assertEqual(self.client.get(reverse("portal:choose_language", args=["xx"])).status_code, 404)

    def test_it_sets_no_cookie_on_public_pages(self):
        # No CSRF token on public pages, so no Set-Cookie: nginx or a CDN may cache them on a disaster day
        # (keyed on the language cookie, which is why the response still varies on Cookie).
        response = self.client.get("/")
        self.assertEqual(response.cookies, {})
