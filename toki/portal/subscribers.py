"""What the portal does when other apps change (toki.events, ADR 0007): on every public change the cached public
pages are invalidated (toki.portal.page_cache) and the static 軽量版 republishes. Each runs in its own task after
the producer's commit; a republish asked twice publishes once (toki.portal.static_site.publish debounces) and a
version raised twice only costs a render, so a redelivery is harmless."""

from toki.events.registry import subscriber
from toki.portal.page_cache import public_changed
from toki.portal.tasks import request_republish

PUBLIC_CHANGES = (
    "alerts.public_situation_changed",
    "shelters.master_changed",
    "lifelines.lifelines_changed",
    "notices.public_notice_changed",
)
OPENING_CHANGES = (
    "shelters.opening_opened",
    "shelters.opening_status_changed",
    "shelters.opening_crowding_changed",
    "shelters.opening_confirmed",
    "shelters.opening_closed",
)


@subscriber(*PUBLIC_CHANGES, app="portal")
def republish(event) -> None:
    public_changed()
    request_republish()  # raises if the queue is down: the delivery fails and events_sweep redelivers it


@subscriber("posts.public_post_changed", app="portal")
def invalidate_for_posts(event) -> None:
    """A post published or hidden changes the cached posts page only (the 軽量版 shows no posts)."""
    public_changed()


@subscriber(*OPENING_CHANGES, app="portal")
def republish_for_opening(event) -> None:
    """Shelter openings (open, status, crowding) show on the public pages; drills never do, so they need nothing."""
    from toki.shelters.models import ShelterOpening

    if ShelterOpening.objects.filter(pk=event.ids["opening_id"], incident__is_drill=False).exists():
        public_changed()
        request_republish()
