"""The test audience (Subscriber.is_test_audience): the subscribers drills (訓練) and test alerts go to. HQ manages
it on /notify/test-audience/ (it was only possible in the Django shell).

Joining: the page shows a join code; a staff member sends 「テスト <code>」 ("test <code>") to the LINE account from
their own phone and is added. The code is an HMAC of the municipality and the hour (SECRET_KEY), valid in the hour
shown and the next: nothing to store, and a leaked code expires by itself. Removing: a button per member on the
page. Every change is audited (the actor for a removal, None for a join by code; never the LINE user id)."""

import hashlib
import hmac
import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.notify.models import Subscriber
from toki.notify.permissions import may_manage_test_audience

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen and typed on a phone
CODE_LENGTH = 8
CODE_PERIOD_SECONDS = 3600
_JOIN = re.compile(rf"^(?:テスト|test)\s*([a-z0-9]{{{CODE_LENGTH}}})$")


def join_code(municipality, *, at=None) -> str:
    """The code valid in the hour of `at` (now by default)."""
    window = int((at or timezone.now()).timestamp()) // CODE_PERIOD_SECONDS
    digest = hmac.new(settings.SECRET_KEY.encode(), f"test-audience:{municipality.pk}:{window}".encode(),
                      hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[byte % len(CODE_ALPHABET)] for byte in digest[:CODE_LENGTH])


def code_in(text: str) -> str:
    """The join code in a message 「テスト ABCD2345」 / "test abcd2345" (upper-cased), or ""."""
    normalized = unicodedata.normalize("NFKC", text or "").strip().lower()
    match = _JOIN.match(normalized)
    return match.group(1).upper() if match else ""


def join_with_code(*, subscriber: Subscriber, code: str) -> bool:
    """Add the subscriber when `code` is the current (or the previous hour's) join code; False otherwise."""
    now = timezone.now()
    valid = {join_code(subscriber.municipality, at=now),
             join_code(subscriber.municipality, at=now - timedelta(seconds=CODE_PERIOD_SECONDS))}
    if not any(hmac.compare_digest(code, candidate) for candidate in valid):
        return False
    _set(subscriber, True, actor=None, via="code")
    return True


def remove_from_test_audience(*, acting_user, subscriber: Subscriber) -> Subscriber:
    if not may_manage_test_audience(acting_user):
        raise PermissionDenied("managing the test audience needs an HQ editor or admin role")
    return _set(subscriber, False, actor=acting_user, via="page")


def _set(subscriber: Subscriber, on: bool, *, actor, via: str) -> Subscriber:
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        before = locked.is_test_audience
        locked.is_test_audience = on
        locked.save(update_fields=["is_test_audience", "updated_at"])
        audit.record(actor=actor, action="notify.test_audience_changed", obj=locked,
                     changes={"is_test_audience": [before, on], "via": via})
    return locked
