import io

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from toki.posts import photos
from toki.posts.tests.support import TemporaryMediaMixin, photo_bytes, upload
from toki.test import BaseTestCase


def reopen(photo: photos.CleanPhoto) -> Image.Image:
    return Image.open(io.BytesIO(photo.content))


class CleanPhotoTests(TemporaryMediaMixin, BaseTestCase):
    def test_it_removes_every_exif_tag_including_the_gps_position(self):
        original = photo_bytes(gps=True)
        self.assertIn(b"TestCam", original)
        self.assertTrue(Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825))
        photo = photos.clean_photo(upload(original))
        image = reopen(photo)
        self.assertEqual(dict(image.getexif()), {})
        self.assertNotIn("exif", image.info)
        self.assertNotIn(b"Exif\x00\x00", photo.content)
        self.assertNotIn(b"TestCam", photo.content)

    def test_it_stores_the_file_without_exif_under_a_random_name(self):
        name = photos.store(photos.clean_photo(upload(photo_bytes(gps=True), name="my-house-in-ryotsu.jpg")))
        self.assertRegex(name, r"^posts/[0-9a-f]{2}/[0-9a-f]{32}\.jpg$")
        with default_storage.open(name) as stored:
            content = stored.read()
        self.assertTrue(name.startswith("posts/"))
        self.assertEqual(dict(Image.open(io.BytesIO(content)).getexif()), {})
        self.assertNotIn(b"Exif\x00\x00", content)

    def test_it_resizes_to_1600_pixels_on_the_long_side(self):
        photo = photos.clean_photo(upload(photo_bytes(size=(4000, 3000))))
        self.assertEqual((photo.width, photo.height), (1600, 1200))
        self.assertEqual(reopen(photo).size, (1600, 1200))

    def test_it_keeps_a_small_photo_at_its_size(self):
        photo = photos.clean_photo(upload(photo_bytes(size=(800, 600))))
        self.assertEqual((photo.width, photo.height), (800, 600))

    def test_it_applies_the_exif_orientation(self):
        # Orientation 6: the camera was turned; the stored pixels are upright and the tag is gone.
        photo = photos.clean_photo(upload(photo_bytes(size=(400, 200), orientation=6)))
        image = reopen(photo)
        self.assertEqual(image.size, (200, 400))
        _red, _green, blue = image.getpixel((image.width - 5, 5))
        self.assertGreater(blue, 200)  # the blue top-left corner is now at the top right

    def test_it_accepts_png_with_transparency_and_webp_as_jpeg(self):
        for content, name in ((photo_bytes(size=(300, 200), fmt="PNG", mode="RGBA"), "a.png"),
                              (photo_bytes(size=(300, 200), fmt="WEBP"), "b.webp")):
            with self.subTest(name=name):
                image = reopen(photos.clean_photo(upload(content, name=name)))
                self.assertEqual((image.format, image.mode), ("JPEG", "RGB"))

    def test_it_refuses_a_file_that_is_not_an_image_whatever_its_name(self):
        with self.assertRaises(ValidationError) as caught:
            photos.clean_photo(upload(b"<?php echo 'hello'; ?>" * 50, name="photo.jpg"))
        self.assertEqual(caught.exception.code, "invalid")

    def test_it_refuses_a_truncated_jpeg(self):
        content = photo_bytes(size=(600, 400))
        with self.assertRaises(ValidationError):
            photos.clean_photo(upload(content[: len(content) // 3]))

    def test_it_refuses_other_image_formats(self):
        out = io.BytesIO()
        Image.new("RGB", (50, 50)).save(out, format="GIF")
        with self.assertRaises(ValidationError) as caught:
            photos.clean_photo(upload(out.getvalue(), name="photo.jpg"))
        self.assertEqual(caught.exception.code, "format")

    def test_it_refuses_a_file_over_10_mb(self):
        big = upload(b"\xff\xd8" + b"0" * (photos.MAX_BYTES + 1))
        with self.assertRaises(ValidationError) as caught:
            photos.clean_photo(big)
        self.assertEqual(caught.exception.code, "size")

    def test_it_refuses_a_decompression_bomb(self):
        for size in ((8_000, 7_000), (10_000, 10_000)):  # over our limit; over Pillow's own as well
            out = io.BytesIO()
            Image.new("1", size).save(out, format="PNG")
            with self.subTest(size=size), self.assertRaises(ValidationError) as caught:
                photos.clean_photo(upload(out.getvalue(), name="bomb.png"))
            self.assertEqual(caught.exception.code, "pixels")
