"""The one-time link to the 受信設定 page, sent in LINE: signed (TimestampSigner), valid 24 hours, used once.

The token holds the subscriber id and a random nonce, nothing personal. Using it (saving the form) is recorded as
an AuditEvent keyed by a hash of the nonce (`toki.notify.actions.subscriptions.save_settings_from_link`), so a
second use is refused. Anyone holding the link can change that subscriber's settings until it is used or expires,
which is why it is sent only in the subscriber's own LINE chat.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "toki.notify.line.settings-link"  # its name before toki.linebot: links already sent stay valid
MAX_AGE_SECONDS = 24 * 3600


class LinkInvalid(Exception):
    pass


class LinkExpired(LinkInvalid):
    pass


@dataclass(frozen=True)
class SettingsLink:
    subscriber_id: int
    nonce: str


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(subscriber_id: int) -> str:
    return _signer().sign(f"{subscriber_id}.{secrets.token_urlsafe(12)}")


def settings_url(subscriber_id: int) -> str:
    """The absolute URL of a fresh one-time settings link for the subscriber."""
    return settings.SITE_URL.rstrip("/") + reverse("line:settings", args=[make_token(subscriber_id)])


def read_token(token: str, *, max_age: int = MAX_AGE_SECONDS) -> SettingsLink:
    """The link a token stands for; raises LinkExpired after `max_age` seconds, LinkInvalid if tampered with."""
    try:
        value = _signer().unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    subscriber_id, _dot, nonce = value.partition(".")
    if not subscriber_id.isdigit() or not nonce:
        raise LinkInvalid
    return SettingsLink(int(subscriber_id), nonce)
