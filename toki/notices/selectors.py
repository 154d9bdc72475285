"""Reads of notices. The public sees published notices only; staff reads are scoped by `may_manage_notices`."""

from django.db.models import Prefetch, Q, QuerySet

from toki.areas.models import District
from toki.notices.models import Notice, NoticeVersion
from toki.notices.permissions import may_manage_notices


def _with_related(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.prefetch_related(
        Prefetch("versions", queryset=NoticeVersion.objects.order_by("language")),
        Prefetch("districts", queryset=District.objects.defer("boundary").order_by("sort_order", "code")),
    )


def public_notices(municipality, *, category: str = "", district=None) -> QuerySet[Notice]:
    """Published notices, newest first, versions and districts prefetched. With `district`: the notices for
    the whole municipality and those naming that district."""
    notices = Notice.objects.filter(municipality=municipality, is_published=True)
    if category:
        notices = notices.filter(category=category)
    if district is not None:
        notices = notices.filter(Q(districts=None) | Q(districts=district)).distinct()
    return _with_related(notices).order_by("-published_at", "-id")


def get_public_notice(municipality, pk: int) -> Notice:
    """One published notice; Notice.DoesNotExist for drafts, withdrawn ones and other municipalities'."""
    return public_notices(municipality).get(pk=pk)


def latest_notices(municipality, limit: int = 5, *, district=None) -> list[Notice]:
    """The newest published notices for the portal home (important ones are marked, not reordered)."""
    return list(public_notices(municipality, district=district)[:limit])


def notices_published_between(municipality, start, end, *, category: str | None = None) -> int:
    """How many notices (of `category`, when given) were first published in [start, end): the 情報発信率
    numerator, and with the portal category the 周知回数.

    A notice counts once, at its first publication, even when it is later withdrawn or edited: it reached
    residents then. Drafts never count.
    """
    notices = Notice.objects.filter(municipality=municipality, published_at__gte=start, published_at__lt=end)
    return (notices.filter(category=category) if category else notices).count()


def notices_for_staff(user, municipality) -> QuerySet[Notice]:
    """Every notice of the municipality, drafts included, for notice editors; none for anyone else."""
    if not may_manage_notices(user):
        return Notice.objects.none()
    notices = Notice.objects.filter(municipality=municipality).select_related("created_by")
    return _with_related(notices).order_by("is_published", "-updated_at", "-id")


def get_notice_for_staff(user, municipality, pk: int) -> Notice:
    """One notice for a notice editor; Notice.DoesNotExist (a 404) for anyone else."""
    return notices_for_staff(user, municipality).get(pk=pk)
