"""Citizen posts under a flood (issue 13, finding 8): the device cookie cannot be made up, posts are limited per
client address and for everyone together, and what waits for review is capped."""

import os

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from toki.accounts.models import RateCounter
from toki.posts import device
from toki.posts.actions import approve_post
from toki.posts.models import Post
from toki.posts.tests.support import TemporaryMediaMixin, photo_bytes, upload
from toki.test import BaseTestCase

URL = reverse("posts:new")


class PostLimitsTests(TemporaryMediaMixin, BaseTestCase):
    def browser(self, address: str) -> Client:
        """A fresh browser at `address` behind the documented nginx: it opens the form (and gets the device
        cookie Toki signs) like a person would."""
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address, HTTP_X_REAL_IP=address)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.get(URL)
        return client

    def send(self, client, **extra):
        return client.post(URL, {"category": "flooding", "text": "道路が冠水しています", "website": "", **extra})

    def test_it_refuses_a_device_cookie_the_client_made_up(self):
        for n in range(5):
            forger = Client(REMOTE_ADDR="198.51.100.66")
            forger.cookies[device.COOKIE_NAME] = f"{n}" * 43  # well formed, but not signed by Toki
            forger.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            self.assertContains(self.send(forger), "Allow cookies")
        self.assertFalse(Post.objects.exists())

    def test_it_refuses_a_signed_cookie_whose_token_was_changed(self):
        client = self.browser("198.51.100.66")
        value = client.cookies[device.COOKIE_NAME].value
        client.cookies[device.COOKIE_NAME] = "B" * 43 + value[43:]
        self.assertContains(self.send(client), "Allow cookies")

    @override_settings(TOKI_POSTS_ADDRESS_LIMIT=4)
    def test_it_limits_one_address_whatever_cookies_it_gets(self):
        for _ in range(4):
            self.assertEqual(self.send(self.browser("198.51.100.66")).status_code, 302)
        refused = self.send(self.browser("198.51.100.66"))
        self.assertContains(refused, "Many posts have come from your network", status_code=429)
        self.assertEqual(self.send(self.browser("203.0.113.5")).status_code, 302)
        self.assertEqual(Post.objects.count(), 5)

    @override_settings(TOKI_POSTS_GLOBAL_LIMIT=3)
    def test_it_limits_everyone_together(self):
        for n in range(3):
            self.assertEqual(self.send(self.browser(f"198.51.100.{n}")).status_code, 302)
        refused = self.send(self.browser("203.0.113.5"))
        self.assertContains(refused, "receiving very many posts", status_code=429)
        self.assertEqual(Post.objects.count(), 3)

    @override_settings(TOKI_POSTS_PENDING_MAX=2)
    def test_it_caps_the_posts_waiting_for_review(self):
        for n in range(2):
            self.send(self.browser(f"198.51.100.{n}"))
        self.assertEqual(self.send(self.browser("198.51.100.9")).status_code, 429)
        approve_post(acting_user=self.alice, post=Post.objects.first())
        self.assertEqual(self.send(self.browser("198.51.100.9")).status_code, 302)

    @override_settings(TOKI_POSTS_PENDING_PHOTO_MB=0)
    def test_it_caps_what_pending_photos_take_and_still_takes_text(self):
        client = self.browser("198.51.100.66")
        refused = self.send(client, photo=upload(photo_bytes(size=(400, 300))))
        self.assertContains(refused, "cannot take more photos")
        self.assertFalse(Post.objects.exists())
        self.assertEqual([name for _, _, names in os.walk(self.media_root) for name in names], [])
        self.assertEqual(self.send(client).status_code, 302)

    def test_it_records_the_stored_photo_size_and_counts_only_pending_posts(self):
        from toki.posts.selectors import pending_photo_bytes

        self.send(self.browser("198.51.100.66"), photo=upload(photo_bytes(size=(400, 300))))
        post = Post.objects.get()
        self.assertEqual(post.photo_bytes, post.photo.size)
        self.assertEqual(pending_photo_bytes(), post.photo.size)
        approve_post(acting_user=self.alice, post=post)
        self.assertEqual(pending_photo_bytes(), 0)

    def test_it_keeps_no_address_in_clear(self):
        self.send(self.browser("198.51.100.66"))
        keys = list(RateCounter.objects.values_list("key", flat=True))
        self.assertTrue(keys)
        self.assertFalse(any("198.51.100.66" in key for key in keys))
