"""State changes of the portal: the disaster-mode switch and satisfaction-survey answers (DESIGN.md rules 2–3).

Page-view counters are not here: they are anonymous counters written by toki.portal.middleware, not domain
changes, and are neither audited nor run in an action's transaction.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.lib.text import plain_text
from toki.portal import events as portal_events
from toki.portal.models import MODE_MESSAGE_MAX, SURVEY_COMMENT_MAX, SiteMode, SurveyAnswer
from toki.portal.page_cache import public_changed
from toki.portal.permissions import may_switch_mode
from toki.portal.tasks import republish_static_site_on_commit


def set_disaster_mode(*, acting_user, municipality, on: bool, message: str, message_en: str = "") -> SiteMode:
    """Switch the public site of `municipality` into (or out of) disaster mode with the message it leads with.

    Only HQ editors and admins may; turning it on needs a Japanese message. Recorded as portal.disaster_mode_on
    or portal.disaster_mode_off."""
    if not may_switch_mode(acting_user):
        raise PermissionDenied("switching disaster mode needs an HQ editor or admin role")
    message, message_en = plain_text(message), plain_text(message_en)
    errors = {}
    if on and not message:
        errors["message"] = "write the message residents will see at the top of every page"
    if len(message) > MODE_MESSAGE_MAX:
        errors["message"] = f"at most {MODE_MESSAGE_MAX} characters"
    if len(message_en) > MODE_MESSAGE_MAX:
        errors["message_en"] = f"at most {MODE_MESSAGE_MAX} characters"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        mode, _created = SiteMode.objects.select_for_update().get_or_create(municipality=municipality)
        before = {"disaster_mode": mode.disaster_mode, "message": mode.message, "message_en": mode.message_en}
        mode.disaster_mode, mode.message, mode.message_en = on, message, message_en
        mode.changed_at, mode.changed_by = timezone.now(), acting_user
        mode.save()
        after = {"disaster_mode": on, "message": message, "message_en": message_en}
        audit.record(actor=acting_user, action="portal.disaster_mode_on" if on else "portal.disaster_mode_off",
                     obj=mode, changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
        public_changed()  # cached public pages (docs/page-cache.md), with the change
        republish_static_site_on_commit()  # the static 軽量版 (docs/static-site.md)
        portal_events.disaster_mode_changed(municipality.pk)  # LINE's default rich menu follows (docs/line.md)
    return mode


def submit_survey_answer(*, acting_user, day: date, visitor_hash: str, rating: int,
                         comment: str = "") -> tuple[SurveyAnswer, bool]:
    """Store a rating (1–5) and optional comment for the visitor key of `day`. A second answer the same day
    replaces the first (a corrected tap, not a second vote). Returns (answer, replaced)."""
    comment = plain_text(comment)
    errors = {}
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = "choose a rating from 1 to 5"
    if len(comment) > SURVEY_COMMENT_MAX:
        errors["comment"] = f"at most {SURVEY_COMMENT_MAX} characters"
    if not visitor_hash:
        errors["visitor_hash"] = "no visitor key"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        answer, created = SurveyAnswer.objects.update_or_create(
            day=day, visitor_hash=visitor_hash, defaults={"rating": rating, "comment": comment})
        # No personal data: the rating only, never the comment or the key.
        audit.record(actor=acting_user, action="portal.survey_answered", obj=answer,
                     changes={"rating": rating, "replaced": not created})
    return answer, not created
