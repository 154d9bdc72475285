"""A city notice as notify's channel-neutral Announcement (issue 21 item 4, ADR 0008): a notice published for the
first time is pushed to the subscribers of its districts (all of them for a notice of the whole municipality) who
chose 市からのお知らせ (notices), each in their language when the notice has that version, else in Japanese. Run by
this app's own subscriber of "notices.public_notice_changed" (toki/notices/subscribers.py).

Pushed once per notice (its dedupe key): an edit, a withdrawal or a second publication pushes nothing; nor does a
notice first published longer ago than notify's DELIVERY_WINDOW, or withdrawn before its turn came.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from toki.lib.site_links import site_link
from toki.lib.text import cut
from toki.notices.models import SOURCE_LANGUAGE, Notice
from toki.notices.richtext import plain_text
from toki.notify.actions.planning import announce
from toki.notify.announcements import Announcement, Category, Content, in_every_language, is_fresh
from toki.notify.models import Notification

BODY_MAX = 1000  # characters of the notice's text in the message; the link has the rest


def content_for(notice: Notice, language: str) -> Content:
    """Called with `language` active: the notice's version in `language`, else the Japanese one."""
    version = notice.version_for(language)
    title = _("[City notice] %(title)s") % {"title": version.title}
    body = "\n\n".join([title, cut(plain_text(version.body), BODY_MAX)])
    return Content(language=language, title=title, short=cut(title, 100), body=body,
                   url=site_link(reverse("notices:detail", args=[notice.pk]), language))


def announcement_for(notice: Notice) -> Announcement:
    return Announcement(
        municipality_id=notice.municipality_id, dedupe_key=f"notice:{notice.pk}", category=Category.NOTICES,
        title=notice.version_for(SOURCE_LANGUAGE).title,
        texts=in_every_language(lambda language: content_for(notice, language)),
        district_codes=tuple(sorted(d.code for d in notice.districts.all())), extra={"notice": notice.pk},
    )


def announce_notice(notice_id: int) -> Notification | None:
    """Push a newly published notice (idempotent: one Notification per notice). None when it is not pushed."""
    notice = Notice.objects.prefetch_related("versions", "districts").get(pk=notice_id)
    if not notice.is_published or notice.published_at is None or not is_fresh(notice.published_at):
        return None
    return announce(announcement_for(notice))
