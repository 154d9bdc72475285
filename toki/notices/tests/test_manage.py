from django.conf import settings
from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.notices.models import Notice
from toki.notices.tests.helpers import JA, department_user, make_notice
from toki.test import BaseTestCase


def form_data(**overrides):
    data = {"category": "disaster", "title_ja": "総合防災訓練のお知らせ",
            "body_ja": "訓練を行います。\n\n参加してください。", "title_en": "", "body_en": ""}
    data.update(overrides)
    return data


class ManagePermissionTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.notice = make_notice(self, publish=False)
        pk = self.notice.pk
        self.get_urls = [reverse("notices:manage_list"), reverse("notices:manage_create"),
                         reverse("notices:manage_detail", args=[pk]), reverse("notices:manage_edit", args=[pk])]
        self.post_urls = [reverse("notices:manage_create"), reverse("notices:manage_edit", args=[pk]),
                          reverse("notices:manage_publish", args=[pk]), reverse("notices:manage_unpublish", args=[pk])]

    def test_it_sends_anonymous_visitors_to_the_login_page(self):
        for url in self.get_urls:
            with self.subTest(url=url):
                self.assertRedirects(self.client.get(url), f"{reverse('accounts:login')}?next={url}",
                                     fetch_redirect_response=False)

    def test_it_is_404_for_outsiders(self):
        self.login(self.eve)
        for url in self.get_urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_refuses_bob_the_branch_reporter_and_changes_nothing(self):
        self.login(self.bob)
        for url in self.get_urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        for url in self.post_urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, form_data()).status_code, 404)
        self.notice.refresh_from_db()
        self.assertFalse(self.notice.is_published)
        self.assertEqual(Notice.objects.count(), 1)

    def test_it_refuses_shelter_and_welfare_editors(self):
        for user in (self.carol, self.dave):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(reverse("notices:manage_list")).status_code, 404)

    def test_it_lets_a_department_editor_in(self):
        self.login(department_user("somu-editor"))
        self.assertEqual(self.client.get(reverse("notices:manage_list")).status_code, 200)

    def test_it_accepts_only_post_for_publishing(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("notices:manage_publish", args=[self.notice.pk])).status_code, 405)


class ManagePagesTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.alice)

    def in_english(self):
        """The error texts below are asserted in English, the message ids; the default page language is Japanese."""
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})

    def test_it_lists_drafts_and_published_notices(self):
        make_notice(self, versions={"ja": ("下書きのお知らせ", "<p>a</p>")}, publish=False)
        make_notice(self, versions={"ja": ("公開中のお知らせ", "<p>b</p>")})
        response = self.client.get(reverse("notices:manage_list"))
        self.assertContains(response, "下書きのお知らせ")
        self.assertContains(response, "公開中のお知らせ")

    def test_it_pins_the_query_count_of_the_list(self):
        for i in range(5):
            make_notice(self, versions={"ja": (f"お知らせ{i}", "<p>a</p>")}, districts=("ryotsu",))
        self.client.get(reverse("notices:manage_list"))  # warm the session
        # session, user, memberships, municipality x2, count, page (with created_by), versions, districts
        with self.assertNumQueries(10):
            self.client.get(reverse("notices:manage_list"))

    def test_it_creates_a_draft_from_plain_text(self):
        response = self.client.post(reverse("notices:manage_create"),
                                    form_data(districts=[self.districts["ryotsu"].pk], is_important="on"))
        notice = Notice.objects.get()
        self.assertRedirects(response, reverse("notices:manage_detail", args=[notice.pk]))
        self.assertFalse(notice.is_published)
        self.assertTrue(notice.is_important)
        self.assertEqual(notice.versions.get(language="ja").body, "<p>訓練を行います。</p><p>参加してください。</p>")
        self.assertTrue(AuditEvent.objects.filter(action="notices.create", actor=self.alice).exists())

    def test_it_explains_a_missing_japanese_version(self):
        self.in_english()
        response = self.client.post(reverse("notices:manage_create"),
                                    form_data(title_ja="", body_ja="", title_en="Drill", body_en="A drill."))
        self.assertContains(response, "The Japanese title is required.")
        self.assertFalse(Notice.objects.exists())

    def test_it_explains_a_half_written_translation(self):
        self.in_english()
        response = self.client.post(reverse("notices:manage_create"), form_data(title_en="Drill"))
        self.assertContains(response, "Write the text of this language&#x27;s version, or clear its title.")
        self.assertFalse(Notice.objects.exists())

    def test_it_explains_a_text_that_is_only_unsafe_markup(self):
        self.in_english()
        response = self.client.post(reverse("notices:manage_create"), form_data(body_ja="<script>x()</script>"))
        self.assertContains(response, "Nothing is left of this text once unsafe markup is removed.")

    def test_it_edits_versions_on_one_page(self):
        notice = make_notice(self)
        edit = reverse("notices:manage_edit", args=[notice.pk])
        self.assertContains(self.client.get(edit), JA[0])
        response = self.client.post(edit, form_data(title_en="Disaster drill", body_en="We hold a drill."))
        self.assertRedirects(response, reverse("notices:manage_detail", args=[notice.pk]))
        self.assertEqual({v.language: v.title for v in notice.versions.all()},
                         {"ja": "総合防災訓練のお知らせ", "en": "Disaster drill"})
        self.assertTrue(AuditEvent.objects.filter(action="notices.update").exists())

    def test_it_shows_the_stored_text_escaped_in_the_form(self):
        notice = make_notice(self, versions={"ja": ("題", "<p><strong>太字</strong></p>")})
        response = self.client.get(reverse("notices:manage_edit", args=[notice.pk]))
        self.assertContains(response, "&lt;p&gt;&lt;strong&gt;太字")
        self.assertNotContains(response, "<strong>太字")
        self.assertNotContains(response, "<p>, <br>")

    def test_it_previews_every_version_with_the_body_rendered(self):
        notice = make_notice(self, versions={"ja": ("題", "<p><strong>太字</strong></p>")}, publish=False)
        response = self.client.get(reverse("notices:manage_detail", args=[notice.pk]))
        self.assertContains(response, "<strong>太字</strong>", html=True)
        publish = reverse("notices:manage_publish", args=[notice.pk])
        self.assertContains(response, f'action="{publish}"')

    def test_it_publishes_and_withdraws(self):
        notice = make_notice(self, publish=False)
        self.client.post(reverse("notices:manage_publish", args=[notice.pk]))
        notice.refresh_from_db()
        self.assertTrue(notice.is_published)
        self.assertEqual(self.client.get(reverse("notices:detail", args=[notice.pk])).status_code, 200)
        self.client.post(reverse("notices:manage_unpublish", args=[notice.pk]))
        notice.refresh_from_db()
        self.assertFalse(notice.is_published)
        self.assertEqual(list(AuditEvent.objects.filter(action__in=["notices.publish", "notices.unpublish"])
                              .order_by("id").values_list("action", flat=True)),
                         ["notices.publish", "notices.unpublish"])
