"""Helpers for the posts tests: photos made on the fly and a throw-away MEDIA_ROOT."""

import io
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import ExifTags, Image

from toki.posts.actions import submit_post
from toki.posts.device import hash_token, new_token


def photo_bytes(size=(3000, 2000), fmt="JPEG", mode="RGB", *, gps=False, orientation=None) -> bytes:
    image = Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    # A marker in the top-left corner to see where the orientation puts it.
    image.paste((0, 0, 255) if mode == "RGB" else (0, 0, 255, 255), (0, 0, size[0] // 4, size[1] // 4))
    kwargs = {}
    if gps or orientation:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "TestCam"
        if orientation:
            exif[ExifTags.Base.Orientation] = orientation
        if gps:
            ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
            ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
            ifd[ExifTags.GPS.GPSLatitude] = (38.0, 4.0, 48.0)
            ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
            ifd[ExifTags.GPS.GPSLongitude] = (138.0, 25.0, 53.0)
        kwargs["exif"] = exif
    out = io.BytesIO()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


class TemporaryMediaMixin:
    def setUp(self):
        super().setUp()
        self.media_root = tempfile.mkdtemp(prefix="toki-posts-")
        self.addCleanup(shutil.rmtree, self.media_root, ignore_errors=True)
        media = override_settings(MEDIA_ROOT=self.media_root)
        media.enable()
        self.addCleanup(media.disable)

    def make_post(self, *, text="通行止めです", category="road_blocked", district_code="ryotsu", device=None,
                  **kwargs):
        """A pending post through the action (each from a new device unless `device` is given)."""
        district = self.districts[district_code] if district_code else None
        point = {"latitude": district.centre_lat, "longitude": district.centre_lon} if district else {}
        return submit_post(acting_user=None, municipality=self.municipality, category=category, text=text,
                           device_hash=hash_token(device or new_token()), district=district,
                           address_key=kwargs.pop("address_key", new_token()), **point, **kwargs)
