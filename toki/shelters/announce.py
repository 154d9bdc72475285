"""A shelter opening as notify's channel-neutral Announcement (issue 21 item 4, ADR 0008): pushed to the
subscribers of the shelter's district who chose 避難所 (shelters), in their language; an opening for a drill
incident goes to the test audience only, marked as a drill. Run by this app's own subscriber of
"shelters.opening_opened" (toki/shelters/subscribers.py), after the opening's commit.

Not announced: an opening closed before its turn came, or opened longer ago than notify's DELIVERY_WINDOW.
"""

import logging

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.lib.site_links import site_link
from toki.lib.text import cut
from toki.notify.actions.planning import announce
from toki.notify.announcements import Announcement, Category, Content, in_every_language, is_fresh
from toki.notify.models import Notification
from toki.shelters.models import OpeningStatus, ShelterOpening

logger = logging.getLogger(__name__)


def dedupe_key(opening: ShelterOpening) -> str:
    return f"shelter_opening:{opening.pk}"


def drill_marker(is_drill: bool) -> str:
    # Translators: put before the title of a drill message pushed to LINE, e.g. 【訓練】
    return _("[Drill] ") if is_drill else ""


def content_for(opening: ShelterOpening, language: str) -> Content:
    """Called with `language` active: the shelter's name (as the city wrote it), where it is, what it is designated
    for, when it opened, and the portal's list of open shelters."""
    shelter = opening.shelter
    title = drill_marker(opening.incident.is_drill) + _("Shelter opened: %(name)s") % {"name": shelter.name}
    lines = [title, ""]
    if opening.incident.is_drill:
        lines += [_("This is a drill."), ""]
    if shelter.address:
        lines.append(_("Address: %(address)s") % {"address": shelter.address})
    hazards = [str(label) for label in shelter.hazard_labels()]
    if hazards:
        lines.append(_("Designated for: %(hazards)s") % {"hazards": ", ".join(hazards)})
    lines.append(_("Opened at %(time)s.") % {"time": timezone.localtime(opening.opened_at).strftime("%H:%M")})
    lines += ["", _("Open shelters and how crowded they are:")]
    return Content(language=language, title=title, short=cut(title, 100), body="\n".join(lines),
                   url=site_link(reverse("portal:shelters"), language))


def announcement_for(opening: ShelterOpening) -> Announcement:
    shelter = opening.shelter
    return Announcement(
        municipality_id=shelter.municipality_id, dedupe_key=dedupe_key(opening), category=Category.SHELTERS,
        title=f"避難所開設：{shelter.name}", texts=in_every_language(lambda language: content_for(opening, language)),
        district_codes=(shelter.district.code,) if shelter.district else (), is_drill=opening.incident.is_drill,
        extra={"opening": opening.pk},
    )


def announce_opening(opening_id: int) -> Notification | None:
    """Push a shelter opening (idempotent: one Notification per opening). None when it is not pushed."""
    opening = ShelterOpening.objects.select_related("shelter__district", "incident").get(pk=opening_id)
    if opening.status == OpeningStatus.CLOSED or not is_fresh(opening.opened_at):
        logger.info("shelter opening %s not pushed: closed or too old", opening.pk)
        return None
    return announce(announcement_for(opening))
