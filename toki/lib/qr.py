"""QR codes for one-time enrolment links (household tablets, driver tablets), as inline SVG (segno)."""

import segno
from django.utils.safestring import mark_safe


def qr_svg(url: str) -> str:
    """An SVG QR code of `url`, dark on white, large modules for an old phone's camera."""
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    return mark_safe(svg)  # noqa: S308 - segno's own SVG of a URL we built
