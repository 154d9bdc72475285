"""Reading the disaster-mode switch (toki.portal.models.SiteMode); it is changed by toki.portal.actions."""

from toki.portal.models import SiteMode
from toki.portal.permissions import may_switch_mode


def disaster_mode(municipality) -> SiteMode | None:
    """The municipality's SiteMode when disaster mode is on (one query), else None. Public data: no user needed."""
    if municipality is None:
        return None
    return SiteMode.objects.filter(municipality=municipality, disaster_mode=True).first()


def site_mode_for(user, municipality) -> SiteMode | None:
    """The current switch with who changed it last, for the staff who may switch it; None for anyone else."""
    if municipality is None or not may_switch_mode(user):
        return None
    return SiteMode.objects.select_related("changed_by").filter(municipality=municipality).first()
