from django.apps import AppConfig


class LinebotConfig(AppConfig):
    """The LINE conversation (presentation, beside the portal): webhook, replies, rich menus, settings page.
    Delivery to LINE (subscribers, the outbox, the multicast transport) is toki.notify's (docs/line.md)."""

    name = "toki.linebot"
    verbose_name = "LINE conversation"
