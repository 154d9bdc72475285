from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "toki.portal"
    verbose_name = "Portal"

    def ready(self):
        # Lifelines and notices never import the portal (ADR 0005): the static 軽量版 republishes on their signals.
        from toki.lifelines.signals import lifelines_changed
        from toki.notices.signals import public_notices_changed
        from toki.portal.tasks import republish_on_signal
        from toki.shelters.signals import shelter_opening_changed

        lifelines_changed.connect(republish_on_signal, dispatch_uid="portal.static_site.lifelines")
        public_notices_changed.connect(republish_on_signal, dispatch_uid="portal.static_site.notices")
        shelter_opening_changed.connect(_republish_for_shelters, dispatch_uid="portal.static_site.shelters")


def _republish_for_shelters(sender=None, opening_id=None, change=None, **kwargs) -> None:
    """Shelter openings (open, status, crowding) show on the 軽量版; drills never do, so they need no republish."""
    from toki.portal.tasks import republish_on_signal
    from toki.shelters.models import ShelterOpening

    if ShelterOpening.objects.filter(pk=opening_id, incident__is_drill=False).exists():
        republish_on_signal(sender=sender)
