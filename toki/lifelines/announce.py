"""Lifeline news as notify's channel-neutral Announcement (issue 21 item 4, ADR 0008): a status report that
changes what residents can rely on (a ferry suspended, power back) is pushed to the subscribers of the lifeline's
district (all of them for a lifeline of the whole municipality) who chose ライフライン (lifelines), in their
language. Run by this app's own subscriber of "lifelines.lifelines_changed" (toki/lifelines/subscribers.py).

News: the lifeline's current report, entered within notify's DELIVERY_WINDOW, whose status differs from the one
before it — not a first report of 平常 (nothing changed for anyone), not 不明, not an older report arriving late
(it does not become current), not an edit of the lifeline's name. One announcement per report (its dedupe key),
so a redelivered event or a second event about the same lifeline pushes nothing again.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.lib.site_links import site_link
from toki.lib.text import cut
from toki.lifelines.models import Lifeline, Status, StatusReport
from toki.notify.actions.planning import announce
from toki.notify.announcements import Announcement, Category, Content, in_every_language, is_fresh
from toki.notify.models import Notification

DETAIL_MAX = 300


def is_news(report: StatusReport) -> bool:
    if report.status == report.previous_status or report.status == Status.UNKNOWN:
        return False
    if report.previous_status in ("", Status.UNKNOWN) and report.status == Status.NORMAL:
        return False
    return is_fresh(report.created_at)


def content_for(lifeline: Lifeline, report: StatusReport, language: str) -> Content:
    """Called with `language` active. The lifeline's name and the detail are the operator's own words (Japanese)."""
    status = f"{report.status_symbol} {Status(report.status).label}"
    title = _("%(kind)s: %(name)s — %(status)s") % {"kind": lifeline.get_kind_display(), "name": lifeline.name,
                                                    "status": status}
    lines = [title, ""]
    if report.detail:
        lines.append(cut(report.detail, DETAIL_MAX))
    if report.expected_restoration_at:
        at = timezone.localtime(report.expected_restoration_at).strftime("%m/%d %H:%M")
        lines.append(_("Expected restoration: %(time)s") % {"time": at})
    lines.append(_("Source: %(source)s (as of %(time)s)") % {
        "source": report.source, "time": timezone.localtime(report.as_of).strftime("%m/%d %H:%M")})
    lines += ["", _("Every lifeline's status:")]
    return Content(language=language, title=title, short=cut(title, 100), body="\n".join(lines),
                   url=site_link(reverse("lifelines:index"), language))


def announcement_for(lifeline: Lifeline, report: StatusReport) -> Announcement:
    return Announcement(
        municipality_id=lifeline.municipality_id, dedupe_key=f"lifeline_report:{report.pk}",
        category=Category.LIFELINES, title=f"{lifeline.name}：{report.get_status_display()}",
        texts=in_every_language(lambda language: content_for(lifeline, report, language)),
        district_codes=(lifeline.district.code,) if lifeline.district else (),
        extra={"lifeline": lifeline.pk, "report": report.pk},
    )


def announce_news(lifeline_ids: list[int]) -> list[Notification]:
    """Push the news among `lifeline_ids`' current reports (idempotent: one Notification per report)."""
    planned = []
    for lifeline in Lifeline.objects.filter(pk__in=lifeline_ids).select_related("district").order_by("pk"):
        report = lifeline.reports.order_by("-as_of", "-id").first()
        if report is None or report.as_of != lifeline.status_as_of or not is_news(report):
            continue
        notification = announce(announcement_for(lifeline, report))
        if notification is not None:
            planned.append(notification)
    return planned
