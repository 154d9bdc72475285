"""Every change to citizen posts: submitting (anyone, rate-limited per device, address and for everyone) and
moderating (HQ editors)."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.accounts import audit, ratelimit
from toki.lib.tasks import enqueue_on_commit
from toki.lib.text import plain_text
from toki.posts import events, photos
from toki.posts.models import TEXT_MAX_LENGTH, Post
from toki.posts.permissions import may_moderate
from toki.posts.selectors import (
    RATE_LIMIT_POSTS,
    address_limit,
    device_is_rate_limited,
    everyone_limit,
    pending_photos_full,
    pending_queue_full,
)
from toki.posts.tasks import delete_photo

# C0 and C1 control characters except tab and newline, DEL, and the Unicode bidi overrides and isolates
# (they can make text read differently from what it says).
REASON_MAX_LENGTH = 500


class RateLimited(ValidationError):
    pass


def rate_limit_message():
    return _("You have sent %(n)d posts in the last few minutes. Please wait a little and try again.") % {
        "n": RATE_LIMIT_POSTS}


def address_limit_message():
    return _("Many posts have come from your network in the last few minutes. Please wait a little and try again.")


def busy_message():
    return _("The city is receiving very many posts right now. Please try again in a few minutes. In an emergency, "
             "call 119.")


def photos_full_message():
    return _("The city cannot take more photos until the posts waiting for review have been checked. Send your "
             "post without a photo, or try again later.")


def refusal_before_work(device_hash: str, address_key: str):
    """Why a post would be refused before anything is decoded or stored (a flood costs no image work), or None.
    The action checks again, counting, inside its transaction."""
    if device_is_rate_limited(device_hash):
        return rate_limit_message()
    if ratelimit.exceeded(address_limit(), address_key):
        return address_limit_message()
    if ratelimit.exceeded(everyone_limit(), ratelimit.GLOBAL) or pending_queue_full():
        return busy_message()
    return None


def submit_post(*, acting_user, municipality, category: str, text: str, device_hash: str, address_key: str,
                district=None, latitude: float | None = None, longitude: float | None = None,
                photo: photos.CleanPhoto | None = None) -> Post:
    """Store a resident's post, pending review. `district` is the one `district_for` found for the point;
    `address_key` is `address_limit().key_for(client address)`. Limits: per device, per address, everyone
    together, and a cap on what pending posts may hold (docs/posts.md)."""
    text = plain_text(text)
    if not text:
        raise ValidationError({"text": _("Write what you see.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({"text": _("Keep it under %(n)d characters.") % {"n": TEXT_MAX_LENGTH}})
    if category not in Post.Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    if latitude is not None and (district is None or district.municipality_id != municipality.pk):
        raise ValidationError({"latitude": _("This place is outside the city.")})
    if not device_hash:
        raise ValidationError(_("Your browser did not send its device cookie. Allow cookies and try again."))
    stored = photos.store(photo) if photo is not None else ""
    try:
        with transaction.atomic():
            now = timezone.now()
            # The common counter first: its row lock makes concurrent submissions take their turn, so the
            # pending caps below are checked one post at a time.
            if not ratelimit.take(everyone_limit(), ratelimit.GLOBAL, now=now) or pending_queue_full():
                raise RateLimited(busy_message(), code="busy")
            if device_is_rate_limited(device_hash, now=now):
                raise RateLimited(rate_limit_message(), code="rate_limited")
            if not ratelimit.take(address_limit(), address_key, now=now):
                raise RateLimited(address_limit_message(), code="address_limited")
            if photo is not None and pending_photos_full(len(photo.content)):
                raise ValidationError({"photo": photos_full_message()}, code="photos_full")
            post = Post.objects.create(
                municipality=municipality, category=category, text=text, latitude=latitude, longitude=longitude,
                district=district if latitude is not None else None, created_at=now, device_hash=device_hash,
                photo=stored, photo_width=photo.width if photo else None,
                photo_bytes=len(photo.content) if photo else None,
                photo_height=photo.height if photo else None,
            )
            audit.record(actor=acting_user, action="posts.submit", obj=post, changes={
                "category": category, "district": post.district.code if post.district else None,
                "photo": bool(stored),
            })
    except BaseException:
        photos.delete(stored)  # nothing half-written: no file without its post
        raise
    return post


def _moderate(*, acting_user, post: Post, expected: str, new_status: str, action: str,
              reason: str | None = None) -> Post:
    if not may_moderate(acting_user):
        raise PermissionDenied("moderating posts needs an HQ editor or admin role")
    reason = _reason(reason) if reason is not None else ""
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status != expected:
            raise ValidationError(_("This post was already handled by someone else; reload the page."),
                                  code="stale")
        now = timezone.now()
        locked.status, locked.moderated_at, locked.moderated_by = new_status, now, acting_user
        locked.moderation_reason = reason
        fields = ["status", "moderated_at", "moderated_by", "moderation_reason"]
        if new_status == Post.Status.PUBLISHED:
            locked.published_at = now
            fields.append("published_at")
        if new_status == Post.Status.REJECTED and locked.photo:
            # A rejected photo is never shown: do not keep it (removed from disk once this commits).
            enqueue_on_commit(delete_photo, locked.photo.name)
            locked.photo, locked.photo_width, locked.photo_height = "", None, None
            fields += ["photo", "photo_width", "photo_height"]
        locked.save(update_fields=fields)
        # The reason stays on the post: it is free text and may quote the resident, so not in the audit trail.
        audit.record(actor=acting_user, action=action, obj=locked, changes={
            "status": [expected, new_status], "reason_given": bool(reason),
        })
        if Post.Status.PUBLISHED in (expected, new_status):  # published or hidden: the public list changed
            events.public_post_changed(locked)
    return locked


def _reason(reason: str) -> str:
    reason = plain_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Keep it under %(n)d characters.") % {"n": REASON_MAX_LENGTH}})
    return reason


def approve_post(*, acting_user, post: Post) -> Post:
    return _moderate(acting_user=acting_user, post=post, expected=Post.Status.PENDING,
                     new_status=Post.Status.PUBLISHED, action="posts.approve")


def reject_post(*, acting_user, post: Post, reason: str) -> Post:
    return _moderate(acting_user=acting_user, post=post, expected=Post.Status.PENDING,
                     new_status=Post.Status.REJECTED, action="posts.reject", reason=reason)


def hide_post(*, acting_user, post: Post, reason: str) -> Post:
    return _moderate(acting_user=acting_user, post=post, expected=Post.Status.PUBLISHED,
                     new_status=Post.Status.HIDDEN, action="posts.hide", reason=reason)
