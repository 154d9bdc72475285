from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "toki.events"
    verbose_name = "Domain events"

    def ready(self):
        # Every app's events.py (what it announces), then its subscribers.py (what it does when others change).
        from django.utils.module_loading import autodiscover_modules

        from toki.events import registry

        autodiscover_modules("events")
        autodiscover_modules("subscribers")
        registry.check()
