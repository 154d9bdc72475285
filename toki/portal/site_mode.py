"""Reading the disaster-mode switch (toki.portal.models.SiteMode); it is changed by toki.portal.actions."""

from django.utils.translation import gettext as _

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


def banner_texts(mode: SiteMode | None, language: str) -> list[dict]:
    """What the banner says in `language` besides its fixed, translated heading: the message staff typed (in
    Japanese, optionally in English). Japanese readers get the Japanese; English readers the English where staff
    gave one; readers of Chinese and Korean, for whom staff write nothing, the English and the Japanese original,
    each marked with its language, so that neither is passed off as theirs. Each: {"lang", "label", "text"}."""
    if mode is None:
        return []
    japanese = {"lang": "ja", "label": "", "text": mode.message}
    if language.startswith("ja"):
        return [japanese]
    if language == "en" and mode.message_en:
        return [{"lang": "en", "label": "", "text": mode.message_en}]
    texts = [{"lang": "en", "label": _("In English:"), "text": mode.message_en}] if mode.message_en else []
    return [*texts, {**japanese, "label": _("In Japanese (original):")}]
