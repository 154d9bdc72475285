"""The registry's TOTP second factor as the browser groups give it: one authenticator per persona for the whole
run. The groups share one throwaway site, so the first group that logs a persona in enrols it (the key is read off
the enrolment page, as a person reads it into an app) and later groups compute the code from the key kept here.
django-otp accepts a code once, so a second login of a persona in the same 30-second step waits for the next."""

import base64
import hashlib
import hmac
import struct
import time

from tests_browser.common import CheckFailed

KEYS: dict[str, str] = {}  # persona → base32 key shown at enrolment
LAST_STEP: dict[str, int] = {}


def totp(secret_b32: str, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows (RFC 6238: HMAC-SHA1, 30-second steps)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def token_for(page, username: str) -> str:
    """The code to type on the second-factor page now open in `page` (enrolment or verification)."""
    shown = page.locator("main code")
    if shown.count():
        KEYS[username] = shown.first.inner_text().strip()
    key = KEYS.get(username)
    if key is None:
        raise CheckFailed(f"{username}: enrolled earlier in this run, but the key was not kept")
    if time.time() % 30 > 26 or LAST_STEP.get(username) == int(time.time() // 30):
        time.sleep(30 - time.time() % 30 + 1)  # not in a code's last seconds, never the code just used
    LAST_STEP[username] = int(time.time() // 30)
    return totp(key)


def past_recovery_codes(page) -> None:
    """After a first enrolment the page shows the recovery codes once, with a link to go on: follow it."""
    import re

    if page.locator("#recovery-codes").count():
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("link", name=re.compile("continue|続")).first.click()
