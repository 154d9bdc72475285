"""Plain text as people typed it, made safe to store and show: one cleaner for every free-text field; and text
measured and cut as LINE and the push services count it (UTF-16 code units), for the alert renderer and the
channels alike."""

import re

# Control characters other than tab and newline (C0, DEL, C1) and the bidi overrides used to disguise text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain_text(value: str | None) -> str:
    """Line ends normalised to \\n, control characters removed, ends trimmed. Markup stays literal text (templates
    escape it)."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def text_length(text: str) -> int:
    """Length in UTF-16 code units (what LINE and the push services count)."""
    return len(text.encode("utf-16-le")) // 2


def cut(text: str, limit: int, marker: str = "…") -> str:
    """`text` shortened to `limit` UTF-16 units, ending with `marker` when something was cut."""
    if text_length(text) <= limit:
        return text
    budget = limit - text_length(marker)
    kept = []
    used = 0
    for char in text:
        size = text_length(char)
        if used + size > budget:
            break
        kept.append(char)
        used += size
    return "".join(kept).rstrip() + marker
