"""Reads of citizen posts. The public sees published posts only; the queue is for moderators (HQ editors)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from toki.accounts import ratelimit
from toki.posts.models import Post
from toki.posts.permissions import may_moderate

# At most RATE_LIMIT_POSTS posts per device within RATE_LIMIT_WINDOW (a constant, not a setting: see
# docs/posts.md); per client address and for everyone together, the limits are settings.
RATE_LIMIT_POSTS = 3
RATE_LIMIT_WINDOW = timedelta(minutes=10)


def address_limit() -> ratelimit.Limit:
    """Posts per client address (toki/lib/client_address.py) in RATE_LIMIT_WINDOW: a device cookie is free to
    get again, an address is not."""
    return ratelimit.Limit("posts.address", settings.TOKI_POSTS_ADDRESS_LIMIT, RATE_LIMIT_WINDOW)


def everyone_limit() -> ratelimit.Limit:
    return ratelimit.Limit("posts.global", settings.TOKI_POSTS_GLOBAL_LIMIT, RATE_LIMIT_WINDOW)


def pending_count() -> int:
    return Post.objects.filter(status=Post.Status.PENDING).count()


def pending_photo_bytes() -> int:
    """What the photos of posts waiting for review take on disk."""
    total = Post.objects.filter(status=Post.Status.PENDING).aggregate(total=Sum("photo_bytes"))["total"]
    return total or 0


def pending_queue_full() -> bool:
    return pending_count() >= settings.TOKI_POSTS_PENDING_MAX


def pending_photos_full(adding: int = 0) -> bool:
    return pending_photo_bytes() + adding > settings.TOKI_POSTS_PENDING_PHOTO_MB * 1024 * 1024


def _with_district(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("district").defer("district__boundary")


def published_posts(municipality, limit: int | None = None) -> QuerySet[Post]:
    """Published posts, newest first (public data: for the portal and the HQ board). The coordinates are
    the poster's; public pages show the district only."""
    posts = _with_district(Post.objects.filter(municipality=municipality, status=Post.Status.PUBLISHED))
    posts = posts.order_by("-created_at", "-id")
    return posts[:limit] if limit is not None else posts


def moderation_queue(user, municipality) -> QuerySet[Post]:
    """Posts waiting for review, oldest first; none for anyone who may not moderate."""
    if not may_moderate(user):
        return Post.objects.none()
    return _with_district(Post.objects.filter(municipality=municipality, status=Post.Status.PENDING)
                          ).order_by("created_at", "id")


def published_for_moderation(user, municipality) -> QuerySet[Post]:
    """Published posts a moderator may hide, newest first; none for others."""
    if not may_moderate(user):
        return Post.objects.none()
    return published_posts(municipality).select_related("moderated_by")


def get_post_for_moderation(user, municipality, pk: int) -> Post:
    """The post, for a moderator; 404 for anyone else (or a post of another municipality)."""
    if not may_moderate(user):
        return get_object_or_404(Post.objects.none())
    return get_object_or_404(Post.objects.filter(municipality=municipality), pk=pk)


def recent_posts_by_device(device_hash: str, *, now=None) -> int:
    now = now or timezone.now()
    return Post.objects.filter(device_hash=device_hash, created_at__gt=now - RATE_LIMIT_WINDOW).count()


def device_is_rate_limited(device_hash: str, *, now=None) -> bool:
    return recent_posts_by_device(device_hash, now=now) >= RATE_LIMIT_POSTS
