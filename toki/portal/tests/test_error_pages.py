"""Error pages through the URLconf (toki/portal/errors.py): in the reader's language, with the site header and a
way forward, in production mode and in the demo's debug mode alike."""

from unittest import mock

from django.test import Client, override_settings
from django.urls import reverse

from toki.test import BaseTestCase

NOT_FOUND = {"ja": "ページが見つかりません", "ja-easy": "ページが みつかりません", "en": "Page not found",
             "zh-hans": "找不到页面", "ko": "페이지를 찾을 수 없습니다"}
HOME_LINK = {"ja": "ホーム：警報・避難指示・避難所", "ja-easy": "ホーム：けいほう・ひなんの しじ・ひなんじょ",
             "en": "Home: warnings, evacuation orders and shelters", "zh-hans": "首页：警报、避难指示和避难所",
             "ko": "홈: 경보, 대피 지시, 대피소"}


def broken_home(*args, **kwargs):
    raise RuntimeError("a bug in the home page")


class ErrorPageTests(BaseTestCase):
    def reader(self, language="ja", **kwargs) -> Client:
        client = Client(raise_request_exception=False, **kwargs)
        client.cookies["toki_language"] = language
        return client

    def assert_error_page(self, response, status, title, language="ja"):
        self.assertContains(response, title, status_code=status)
        self.assertContains(response, 'class="site-header"', status_code=status)
        self.assertContains(response, f'href="{reverse("portal:home")}"', status_code=status)
        self.assertContains(response, HOME_LINK[language], status_code=status)
        self.assertNotContains(response, "Traceback", status_code=status)
        self.assertNotContains(response, "URLconf", status_code=status)

    def test_a_missing_page_in_every_language(self):
        for language, title in NOT_FOUND.items():
            with self.subTest(language=language):
                response = self.reader(language).get("/no-such-page/")
                self.assert_error_page(response, 404, title, language)
                self.assertContains(response, reverse("accounts:login"), status_code=404)

    def test_staff_are_sent_to_their_start_page(self):
        client = self.reader("en")
        client.force_login(self.carol)
        response = client.get(reverse("alerts:orders"))  # "not yours" is a 404
        self.assert_error_page(response, 404, "Page not found", "en")
        self.assertContains(response, "Your staff start page", status_code=404)
        self.assertContains(response, f'href="{reverse("accounts:home")}"', status_code=404)

    def test_a_bad_request(self):
        response = self.reader("en").get("/", HTTP_HOST="not-this-site.example")
        self.assert_error_page(response, 400, "The request could not be understood", "en")

    def test_a_refused_form(self):
        client = self.reader("zh-hans", enforce_csrf_checks=True)
        response = client.post(reverse("accounts:login"), {"username": "alice", "password": "x"})
        self.assert_error_page(response, 403, "无法提交表单", "zh-hans")

    def test_an_error_of_the_site(self):
        with mock.patch("toki.portal.views.situation", broken_home), self.assertLogs("django.request", "ERROR"):
            response = self.reader("ko").get("/")
        self.assert_error_page(response, 500, "사이트에서 오류가 발생했습니다", "ko")

    def test_an_error_page_that_cannot_be_built_is_still_a_page(self):
        with (mock.patch("toki.portal.views.situation", broken_home),
              mock.patch("toki.portal.context_processors.default_municipality", broken_home),
              self.assertLogs("django.request", "ERROR")):
            response = self.reader("ja-easy").get("/")
        self.assertContains(response, "サイトで エラーが おきました", status_code=500)
        self.assertContains(response, 'href="/"', status_code=500)

    def test_a_limit_reached_has_its_own_page_with_the_header(self):
        client = self.reader("en", REMOTE_ADDR="192.0.2.50")
        for _ in range(30):
            response = client.post(reverse("portal:safety_search"), {"name": "ダレカ", "birth_date": "1950-01-01"})
            if response.status_code == 429:
                break
        self.assertContains(response, "Too many searches", status_code=429)
        self.assertContains(response, 'class="site-header"', status_code=429)


@override_settings(DEBUG=True)
class DemoErrorPageTests(BaseTestCase):
    """`make run` runs with DEBUG on: a visitor still gets the readers' pages, never Django's technical ones."""

    def test_a_missing_page_is_not_the_debug_page(self):
        response = Client().get("/no-such-page/")
        self.assertContains(response, "ページが見つかりません", status_code=404)
        self.assertNotContains(response, "URLconf", status_code=404)
        self.assertNotContains(response, "shelter-ops/", status_code=404)

    def test_a_not_yours_page_is_not_the_debug_page(self):
        client = Client()
        client.force_login(self.carol)
        response = client.get(reverse("alerts:orders"))
        self.assertContains(response, "ページが見つかりません", status_code=404)
        self.assertNotContains(response, "Http404", status_code=404)

    def test_a_missing_slash_still_redirects(self):
        self.assertRedirects(Client().get("/warnings"), "/warnings/", fetch_redirect_response=False,
                             status_code=301)

    def test_an_error_is_not_the_debug_page(self):
        with (mock.patch("toki.portal.views.situation", broken_home),
              self.assertLogs("django.request", "ERROR")):
            response = Client(raise_request_exception=False).get("/")
        self.assertContains(response, "サイトでエラーが起きました", status_code=500)
        self.assertNotContains(response, "a bug in the home page", status_code=500)

    @override_settings(TOKI_DEBUG_ERROR_PAGES=True)
    def test_a_developer_may_ask_for_the_debug_pages(self):
        self.assertContains(Client().get("/no-such-page/"), "URLconf", status_code=404)
