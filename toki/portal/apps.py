from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "toki.portal"
    verbose_name = "Portal"

    def ready(self):
        # Lifelines and notices never import the portal (ADR 0005): the static 軽量版 republishes on their signals.
        from toki.lifelines.signals import lifelines_changed
        from toki.notices.signals import public_notices_changed
        from toki.portal.tasks import republish_on_signal

        lifelines_changed.connect(republish_on_signal, dispatch_uid="portal.static_site.lifelines")
        public_notices_changed.connect(republish_on_signal, dispatch_uid="portal.static_site.notices")
