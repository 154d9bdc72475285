"""What the alerts app announces (toki.events, ADR 0007). Ids only."""

from toki.events.registry import declare

ALERT_RECORDED = declare("alerts.alert_recorded", ids=("alert_id",),
                         doc="a new Alert version was stored (JMA, CAP or a city evacuation order); HQ chronicles it")
ALERT_PUBLISHED = declare("alerts.alert_published", ids=("alert_id",),
                          doc="residents are to be told of this Alert (drills and tests: the test audience only)")
PUBLIC_SITUATION_CHANGED = declare("alerts.public_situation_changed",
                                   doc="what the public sees of warnings and evacuation orders changed")


def published(alert, *, public: bool, announced: bool = True) -> None:
    """Announce a new Alert inside its transaction: always recorded; told to residents when `announced`; the
    public situation changed when `public` (never for drills and tests)."""
    from toki.events.outbox import publish

    publish(ALERT_RECORDED, municipality_id=alert.municipality_id, alert_id=alert.pk)
    if public:
        publish(PUBLIC_SITUATION_CHANGED, municipality_id=alert.municipality_id)
    if announced:
        publish(ALERT_PUBLISHED, municipality_id=alert.municipality_id, alert_id=alert.pk)
