from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.posts import photos
from toki.posts.actions import approve_post, hide_post, reject_post
from toki.posts.models import Post
from toki.posts.tasks import delete_photo
from toki.posts.tests.support import TemporaryMediaMixin, photo_bytes, upload
from toki.test import BaseTestCase


class ModerationActionTests(TemporaryMediaMixin, BaseTestCase):
    def test_it_publishes_a_pending_post(self):
        post = approve_post(acting_user=self.alice, post=self.make_post())
        self.assertEqual((post.status, post.moderated_by), ("published", self.alice))
        self.assertIsNotNone(post.published_at)

    def test_it_rejects_with_a_reason_kept_on_the_post(self):
        post = reject_post(acting_user=self.alice, post=self.make_post(), reason="個人名が含まれています")
        self.assertEqual((post.status, post.moderation_reason), ("rejected", "個人名が含まれています"))

    def test_it_hides_a_published_post_with_a_reason(self):
        post = approve_post(acting_user=self.alice, post=self.make_post())
        post = hide_post(acting_user=self.alice, post=post, reason="解消済み")
        self.assertEqual((post.status, post.moderation_reason), ("hidden", "解消済み"))

    def test_it_needs_a_reason_to_reject_or_hide(self):
        post = self.make_post()
        with self.assertRaises(ValidationError):
            reject_post(acting_user=self.alice, post=post, reason="  ")
        with self.assertRaises(ValidationError):
            hide_post(acting_user=self.alice, post=approve_post(acting_user=self.alice, post=post), reason="")

    def test_it_refuses_to_handle_a_post_twice(self):
        post = self.make_post()
        approve_post(acting_user=self.alice, post=post)
        with self.assertRaises(ValidationError):
            reject_post(acting_user=self.alice, post=post, reason="遅すぎ")
        with self.assertRaises(ValidationError):
            hide_post(acting_user=self.alice, post=self.make_post(), reason="未公開")

    def test_it_refuses_everyone_but_hq_editors(self):
        post = self.make_post()
        for user in (self.bob, self.carol, self.dave, self.eve):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                approve_post(acting_user=user, post=post)
        self.assertEqual(Post.objects.get().status, "pending")

    def test_it_audits_each_decision_without_personal_data(self):
        post = self.make_post(text="090-1234-5678 田中")
        reject_post(acting_user=self.alice, post=post, reason="田中さんの電話番号")
        event = AuditEvent.objects.get(action="posts.reject")
        self.assertEqual(event.actor, self.alice)
        self.assertEqual(event.changes, {"status": ["pending", "rejected"], "reason_given": True})
        self.assertNotIn("田中", str(AuditEvent.objects.values_list("changes", flat=True)))

    def test_it_removes_the_photo_of_a_rejected_post_once_committed(self):
        post = self.make_post(photo=photos.clean_photo(upload(photo_bytes(size=(200, 100)))))
        name = post.photo.name
        with self.captureOnCommitCallbacks() as callbacks:
            post = reject_post(acting_user=self.alice, post=post, reason="不適切")
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(post.photo.name, "")
        self.assertTrue(default_storage.exists(name))
        delete_photo.call(name)
        self.assertFalse(default_storage.exists(name))


class ModerationPageTests(TemporaryMediaMixin, BaseTestCase):
    url = reverse("posts:moderate")

    def setUp(self):
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def test_it_shows_the_queue_to_hq_staff(self):
        self.make_post(text="倒木で通れません")
        self.login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "倒木で通れません")
        self.assertContains(response, reverse("posts:approve", args=[Post.objects.get().pk]))

    def test_it_refuses_outsiders_with_404(self):
        for user in (self.bob, self.carol, self.dave, self.eve):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_sends_anonymous_visitors_to_the_login_page(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={self.url}", fetch_redirect_response=False)

    def test_it_refuses_moderation_posts_from_outsiders_with_404(self):
        post = self.make_post()
        for user in (self.bob, self.carol, self.dave, self.eve):
            self.login(user)
            for name, data in (("approve", {}), ("reject", {"reason": "x"}), ("hide", {"reason": "x"})):
                with self.subTest(user=user.username, action=name):
                    response = self.client.post(reverse(f"posts:{name}", args=[post.pk]), data)
                    self.assertEqual(response.status_code, 404)
        self.assertEqual(Post.objects.get().status, "pending")
        self.assertFalse(AuditEvent.objects.filter(action__in=["posts.approve", "posts.reject"]).exists())

    def test_it_refuses_anonymous_moderation_posts(self):
        post = self.make_post()
        response = self.client.post(reverse("posts:approve", args=[post.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Post.objects.get().status, "pending")

    def test_it_approves_rejects_and_hides_by_post(self):
        first, second = self.make_post(text="一件目"), self.make_post(text="二件目")
        self.login(self.alice)
        self.assertRedirects(self.client.post(reverse("posts:approve", args=[first.pk])), self.url)
        self.client.post(reverse("posts:reject", args=[second.pk]), {"reason": "重複"})
        self.client.post(reverse("posts:hide", args=[first.pk]), {"reason": "解消済み"})
        self.assertEqual(dict(Post.objects.values_list("text", "status")), {"一件目": "hidden", "二件目": "rejected"})

    def test_it_refuses_a_rejection_without_a_reason(self):
        post = self.make_post()
        self.login(self.alice)
        response = self.client.post(reverse("posts:reject", args=[post.pk]), {"reason": ""}, follow=True)
        self.assertContains(response, "Give a reason.")
        self.assertEqual(Post.objects.get().status, "pending")

    def test_it_only_accepts_post_for_actions(self):
        post = self.make_post()
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("posts:approve", args=[post.pk])).status_code, 405)

    def test_it_answers_404_for_an_unknown_post(self):
        self.login(self.alice)
        self.assertEqual(self.client.post(reverse("posts:approve", args=[99999])).status_code, 404)

    def test_it_pins_the_queries_of_the_queue(self):
        self.login(self.alice)
        self.client.get(self.url)  # warm up the session
        for _ in range(3):
            approve_post(acting_user=self.alice, post=self.make_post())
            self.make_post(photo=photos.clean_photo(upload(photo_bytes(size=(100, 100)))))
        with self.assertNumQueries(9):
            self.client.get(self.url)
