"""Checking and cleaning residents' photos: Pillow decides what the file is (never the name or the browser's
content type); the stored file is a fresh JPEG with the EXIF orientation applied, at most MAX_SIDE px on its
long side, and no metadata at all (no EXIF, so no GPS position, camera serial or time; no ICC or XMP)."""

import contextlib
import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
# Refuse decompression bombs before decoding: a 10 MB file can claim to be 100,000 × 100,000 pixels.
MAX_PIXELS = 50_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
ACCEPT = "image/jpeg,image/png,image/webp"
JPEG_QUALITY = 82
UPLOAD_DIR = "posts"


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    width: int
    height: int


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _open(uploaded) -> Image.Image:
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(uploaded)
            if image.format not in ALLOWED_FORMATS:
                _refuse(_("Send a photo as JPEG, PNG or WebP."), "format")
            if image.width * image.height > MAX_PIXELS:
                _refuse(_("This photo has too many pixels; send a smaller one."), "pixels")
            image.verify()  # checks the structure; the image must be opened again afterwards
            uploaded.seek(0)
            image = Image.open(uploaded)
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(_("This photo has too many pixels; send a smaller one."), "pixels")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        _refuse(_("This file is not a photo Toki can read. Send a JPEG, PNG or WebP image."), "invalid")
    return image


def clean_photo(uploaded) -> CleanPhoto:
    """Check an uploaded file and return it re-encoded; ValidationError with a reader-facing message if not."""
    if uploaded.size > MAX_BYTES:
        _refuse(_("The photo is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(MAX_BYTES)}, "size")
    image = _open(uploaded)
    with contextlib.suppress(OSError, ValueError, SyntaxError):  # a broken EXIF block: keep the pixels as they are
        image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of the original's info (exif, icc_profile, xmp, comments).
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return CleanPhoto(content=out.getvalue(), width=clean.width, height=clean.height)


def store(photo: CleanPhoto) -> str:
    """Write the photo under MEDIA_ROOT with a random name; return the stored name."""
    token = secrets.token_hex(16)
    return default_storage.save(f"{UPLOAD_DIR}/{token[:2]}/{token}.jpg", ContentFile(photo.content))


def delete(name: str) -> None:
    if name:
        default_storage.delete(name)
