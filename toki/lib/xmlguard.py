"""The checks every piece of XML from outside passes before a parser sees it (JMA feeds and telegrams, CAP).

An XML bomb or an external entity needs a DTD, so a document with `<!DOCTYPE` or `<!ENTITY` is refused outright;
UTF-16/32 input is refused because those byte markers would hide such markup from the byte search.
"""

import re

XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
UTF8_NAMES = frozenset({"utf-8", "utf8"})
DANGEROUS_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")


def screen_xml(data: bytes, *, what: str, max_bytes: int, error: type[Exception],
               encodings: frozenset[str] = UTF8_NAMES) -> None:
    """Raise `error` naming `what` ("telegram", "feed", "message") when the bytes are too large, not in one of
    `encodings` (UTF-8 by default), or carry a DTD or entity declarations."""
    if len(data) > max_bytes:
        raise error(f"{what} is {len(data)} bytes, more than the limit of {max_bytes}")
    head = data[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise error(f"{what} is not UTF-8 encoded (UTF-16/32 input is refused)")
    declared = XML_DECLARATION.match(data[:200])
    if declared and declared.group(1).decode().lower() not in encodings:
        raise error(f"{what} declares encoding {declared.group(1).decode()!r}, which is not accepted (use UTF-8)")
    for marker in DANGEROUS_MARKUP:
        if marker in data:
            raise error(f"{marker.decode()} found: DTDs and entity declarations are refused (XML bomb guard)")
