"""The review step of an evacuation order (issue 14 item 7): before anything is written, what goes out (the text in
each language as residents receive it), to whom (the districts, the orders it replaces, the estimated recipients
per channel), on which channels, and whether it is a drill (訓練). A read: nothing is stored or sent."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.alerts.actions.orders import evacuation_facts
from toki.alerts.announce import category_of_alert
from toki.alerts.models import Alert, EvacuationOrder
from toki.alerts.rendering import render
from toki.notify.actions.planning import estimate_recipients


def order_review(*, municipality, districts, level: int, hazard: str, reason: str, is_drill: bool) -> dict:
    districts = sorted(districts, key=lambda d: (d.sort_order, d.code))
    facts = evacuation_facts(level=level, hazard=hazard, districts=districts, reason=reason, lifted=False,
                             issued_at=timezone.now())
    texts = []
    for code, name in settings.LANGUAGES:
        rendered = render(facts, code, is_drill=is_drill)
        texts.append({"code": code, "name": name, "title": rendered.title, "body": rendered.body})
    reach = estimate_recipients(municipality_id=municipality.pk, district_codes=[d.code for d in districts],
                                category=category_of_alert(Alert.Category.EVACUATION), test_audience_only=is_drill)
    return {
        "is_drill": is_drill,
        "districts": districts,
        "level_label": EvacuationOrder.Level(level).label,
        "hazard_label": EvacuationOrder.Hazard(hazard).label,
        "reason": reason,
        "replaces": list(EvacuationOrder.objects.filter(district__in=districts, hazard=hazard, is_drill=is_drill,
                                                        lifted_at=None).select_related("district")
                         .defer("district__boundary").order_by("district__sort_order")),
        "texts": texts,
        "channels": _channels(reach, is_drill),
    }


def _channels(reach: dict[str, dict[str, int]], is_drill: bool) -> list[dict]:
    """Each channel with its recipients (None: whoever opens it) and their languages, by language name."""
    names = dict(settings.LANGUAGES)
    channels = [{"name": channel, "recipients": sum(by_language.values()),
                 "languages": [(names.get(code, code), count) for code, count in sorted(
                     by_language.items(), key=lambda item: list(names).index(item[0]) if item[0] in names else 99)],
                 "note": _("test audience only (staff accounts)") if is_drill else ""}
                for channel, by_language in sorted(reach.items())]
    if is_drill:
        channels.append({"name": _("Website, 軽量版, CAP feed and API"), "recipients": 0, "languages": [],
                         "note": _("not published: a drill never reaches the public")})
    else:
        channels.append({"name": _("Website, 軽量版, CAP feed and API"), "recipients": None, "languages": [],
                         "note": _("public at once: the home page and every public page, the 軽量版, the CAP feed "
                                   "and the API for partner systems")})
    return channels
