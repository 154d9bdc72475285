import os
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from toki.accounts.models import AuditEvent
from toki.posts import device
from toki.posts.models import Post
from toki.posts.selectors import RATE_LIMIT_POSTS
from toki.posts.tests.support import TemporaryMediaMixin, photo_bytes, upload
from toki.test import BaseTestCase

TOKEN = "A" * 43


class PostFormTests(TemporaryMediaMixin, BaseTestCase):
    url = reverse("posts:new")

    def setUp(self):
        super().setUp()
        self.client.cookies[device.COOKIE_NAME] = device.cookie_value(TOKEN)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages checked below are English

    def send(self, extra=None, **overrides):
        data = {"category": "flooding", "text": "道路が冠水しています", "latitude": "", "longitude": "", "website": "",
                **overrides}
        return self.client.post(self.url, data, **(extra or {}))

    def ryotsu(self):
        district = self.districts["ryotsu"]
        return {"latitude": str(district.centre_lat), "longitude": str(district.centre_lon)}

    def test_it_shows_the_form_to_anonymous_visitors_with_csrf_and_labels(self):
        self.client.cookies.pop(device.COOKIE_NAME)
        response = self.client.get(self.url)
        self.assertContains(response, "csrfmiddlewaretoken")
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, '<label for="id_text"')
        self.assertContains(response, 'accept="image/jpeg,image/png,image/webp"')
        self.assertIn(device.COOKIE_NAME, response.cookies)
        self.assertTrue(response.cookies[device.COOKIE_NAME]["httponly"])

    def test_it_accepts_an_anonymous_post_as_pending_and_thanks_the_resident(self):
        response = self.send(**self.ryotsu())
        self.assertRedirects(response, reverse("posts:thanks"))
        post = Post.objects.get()
        self.assertEqual((post.status, post.category, post.district.code), ("pending", "flooding", "ryotsu"))
        thanks = self.client.get(response.url)
        self.assertContains(thanks, "It will appear on the posts page after review")

    def test_it_stores_a_keyed_hash_of_the_device_token_and_no_ip_address(self):
        self.send(extra={"REMOTE_ADDR": "203.0.113.9"})
        post = Post.objects.get()
        self.assertEqual(post.device_hash, device.hash_token(TOKEN))
        self.assertNotEqual(post.device_hash, TOKEN)
        values = [str(v) for v in Post.objects.values().get().values()]
        self.assertFalse(any("203.0.113.9" in v or TOKEN in v for v in values))

    def test_it_stores_a_photo_without_exif(self):
        response = self.client.post(self.url, {"category": "landslide", "text": "崖が崩れた", "website": "",
                                               "photo": upload(photo_bytes(gps=True))})
        self.assertRedirects(response, reverse("posts:thanks"))
        post = Post.objects.get()
        with default_storage.open(post.photo.name) as stored:
            image = Image.open(stored)
            self.assertEqual(dict(image.getexif()), {})
            self.assertEqual(image.size, (1600, 1067))
        self.assertEqual((post.photo_width, post.photo_height), (1600, 1067))

    def test_it_refuses_a_file_that_is_not_an_image_with_a_clear_error(self):
        response = self.client.post(self.url, {"category": "other", "text": "x", "website": "",
                                               "photo": upload(b"MZ\x90\x00 not a photo", name="evil.jpg")})
        self.assertContains(response, "This file is not a photo Toki can read")
        self.assertFalse(Post.objects.exists())

    def test_it_refuses_a_photo_over_10_mb(self):
        big = upload(b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 1))
        response = self.client.post(self.url, {"category": "other", "text": "x", "website": "", "photo": big})
        self.assertContains(response, "The photo is too large")
        self.assertFalse(Post.objects.exists())

    def test_it_refuses_a_point_outside_the_city(self):
        response = self.send(latitude="35.6812", longitude="139.7671")  # Tokyo station
        self.assertContains(response, "This place is outside")
        self.assertFalse(Post.objects.exists())

    def test_it_refuses_half_a_point(self):
        response = self.send(latitude="38.08")
        self.assertContains(response, "Give both latitude and longitude")
        self.assertFalse(Post.objects.exists())

    def test_it_refuses_a_point_that_is_not_a_number(self):
        response = self.send(latitude="north", longitude="138.4")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["latitude"])
        self.assertFalse(Post.objects.exists())

    def test_it_needs_text_and_keeps_it_under_1000_characters(self):
        for text in ("", "  \x00 ", "あ" * 1001):
            with self.subTest(length=len(text)):
                response = self.send(text=text)
                self.assertTrue(response.context["form"].errors["text"])
        self.assertFalse(Post.objects.exists())

    def test_it_refuses_an_unknown_category(self):
        response = self.send(category="aliens")
        self.assertTrue(response.context["form"].errors["category"])

    def test_it_strips_control_characters_and_keeps_newlines(self):
        self.send(text="橋が\x07落ちた\r\n\u202e注意\x1b")
        self.assertEqual(Post.objects.get().text, "橋が落ちた\n注意")

    def test_it_drops_a_bot_that_fills_the_honeypot_silently(self):
        response = self.send(website="http://spam.example")
        self.assertRedirects(response, reverse("posts:thanks"))
        self.assertFalse(Post.objects.exists())

    def test_it_refuses_a_post_without_the_device_cookie_and_sets_one(self):
        self.client.cookies.pop(device.COOKIE_NAME)
        response = self.send()
        self.assertContains(response, "Allow cookies")
        self.assertIn(device.COOKIE_NAME, response.cookies)
        self.assertFalse(Post.objects.exists())

    def test_it_limits_each_device_to_three_posts_in_ten_minutes(self):
        for _ in range(RATE_LIMIT_POSTS):
            self.assertEqual(self.send().status_code, 302)
        response = self.send(text="4件目")
        self.assertContains(response, "Please wait a little", status_code=429)
        self.assertEqual(Post.objects.count(), RATE_LIMIT_POSTS)

    def test_it_counts_each_device_apart(self):
        for _ in range(RATE_LIMIT_POSTS):
            self.send()
        self.client.cookies[device.COOKIE_NAME] = device.cookie_value("B" * 43)
        self.assertEqual(self.send().status_code, 302)

    def test_it_lets_a_device_post_again_after_the_window(self):
        for _ in range(RATE_LIMIT_POSTS):
            self.send()
        later = timezone.now() + timedelta(minutes=10, seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(self.send().status_code, 302)
        self.assertEqual(Post.objects.count(), RATE_LIMIT_POSTS + 1)

    def test_it_does_not_decode_the_photo_of_a_rate_limited_post(self):
        for _ in range(RATE_LIMIT_POSTS):
            self.send()
        with mock.patch("toki.posts.photos.clean_photo") as clean:
            response = self.client.post(self.url, {"category": "other", "text": "x", "website": "",
                                                   "photo": upload(photo_bytes(size=(100, 100)))})
        self.assertEqual(response.status_code, 429)
        clean.assert_not_called()

    def test_it_records_an_audit_event_without_the_text_or_the_device(self):
        self.send(text="山田さんの家の前が冠水", **self.ryotsu())
        event = AuditEvent.objects.get(action="posts.submit")
        self.assertIsNone(event.actor)
        self.assertEqual(event.changes, {"category": "flooding", "district": "ryotsu", "photo": False})

    def test_it_leaves_no_file_behind_when_the_post_is_refused_in_the_action(self):
        for _ in range(RATE_LIMIT_POSTS):
            self.send()
        # The view's early check passes (patched), the action's own check refuses: the stored photo goes too.
        with mock.patch("toki.posts.views.refusal_before_work", return_value=None):
            response = self.client.post(self.url, {"category": "other", "text": "x", "website": "",
                                                   "photo": upload(photo_bytes(size=(100, 100)))})
        self.assertEqual(response.status_code, 429)
        self.assertEqual([name for _, _, names in os.walk(self.media_root) for name in names], [])
