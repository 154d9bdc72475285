"""Plain text as people typed it, made safe to store and show: one cleaner for every free-text field."""

import re

# Control characters other than tab and newline (C0, DEL, C1) and the bidi overrides used to disguise text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain_text(value: str | None) -> str:
    """Line ends normalised to \\n, control characters removed, ends trimmed. Markup stays literal text (templates
    escape it)."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()
