"""What the posts app announces (toki.events, ADR 0007). Ids only; the portal subscribes (its cached pages)."""

from toki.events.registry import declare

PUBLIC_POST_CHANGED = declare("posts.public_post_changed", ids=("post_id",),
                              doc="what the public posts page shows changed (a post published or hidden)")


def public_post_changed(post) -> None:
    from toki.events.outbox import publish

    publish(PUBLIC_POST_CHANGED, municipality_id=post.municipality_id, post_id=post.pk)
