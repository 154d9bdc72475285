from django.conf import settings
from django.urls import reverse

from toki.posts import photos
from toki.posts.actions import approve_post, hide_post, reject_post
from toki.posts.selectors import published_posts
from toki.posts.tests.support import TemporaryMediaMixin, photo_bytes, upload
from toki.posts.views import PAGE_SIZE
from toki.test import BaseTestCase


class PublicListTests(TemporaryMediaMixin, BaseTestCase):
    url = reverse("posts:list")

    def setUp(self):
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def publish(self, **kwargs):
        return approve_post(acting_user=self.alice, post=self.make_post(**kwargs))

    def test_it_shows_only_published_posts(self):
        self.publish(text="公開された投稿")
        self.make_post(text="審査待ちの投稿")
        reject_post(acting_user=self.alice, post=self.make_post(text="却下された投稿"), reason="x")
        hide_post(acting_user=self.alice, post=self.publish(text="非表示の投稿"), reason="x")
        response = self.client.get(self.url)
        self.assertContains(response, "公開された投稿")
        for text in ("審査待ちの投稿", "却下された投稿", "非表示の投稿"):
            self.assertNotContains(response, text)

    def test_it_lists_the_newest_first_with_category_and_district(self):
        self.publish(text="古い投稿", category="landslide", district_code="aikawa")
        self.publish(text="新しい投稿", category="flooding")
        content = self.client.get(self.url).content.decode()
        self.assertLess(content.index("新しい投稿"), content.index("古い投稿"))
        self.assertIn("Flooding", content)
        self.assertIn("Aikawa (相川)", content)

    def test_it_escapes_the_text(self):
        self.publish(text='<script>alert("x")</script>')
        response = self.client.get(self.url)
        self.assertNotContains(response, '<script>alert("x")</script>')
        self.assertContains(response, "&lt;script&gt;")

    def test_it_shows_the_photo_with_alt_text_from_category_and_district(self):
        post = self.publish(photo=photos.clean_photo(upload(photo_bytes(size=(320, 240)))))
        response = self.client.get(self.url)
        self.assertContains(response, f'src="{settings.MEDIA_URL}{post.photo.name}"')
        self.assertContains(response, 'alt="Photo: Road blocked in Ryotsu (両津)"')
        self.assertContains(response, 'width="320" height="240"')

    def test_it_paginates(self):
        for n in range(PAGE_SIZE + 1):
            self.publish(text=f"投稿{n:02d}")
        first = self.client.get(self.url)
        self.assertContains(first, "Page 1 of 2")
        self.assertNotContains(first, "投稿00")
        self.assertContains(self.client.get(self.url, {"page": 2}), "投稿00")

    def test_it_pins_the_queries_of_the_public_list(self):
        for n in range(5):
            self.publish(text=f"投稿{n}",
                         photo=photos.clean_photo(upload(photo_bytes(size=(100, 100)))))
        with self.assertNumQueries(5):
            self.client.get(self.url)

    def test_it_offers_published_posts_to_the_portal_and_the_board(self):
        for n in range(3):
            self.publish(text=f"投稿{n}")
        self.make_post(text="審査待ち")
        with self.assertNumQueries(1):
            posts = list(published_posts(self.municipality, limit=2))
            self.assertEqual([p.district.code for p in posts], ["ryotsu", "ryotsu"])
        self.assertEqual([p.text for p in posts], ["投稿2", "投稿1"])

    def test_it_links_to_the_form(self):
        self.assertContains(self.client.get(self.url), reverse("posts:new"))
