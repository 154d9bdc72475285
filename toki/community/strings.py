"""What tablet.js needs: URLs, timings and its words in the page's language (JSON in the page)."""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

APP_VERSION = "1"  # bump with a change of tablet.js that the fleet page should show


def tablet_strings() -> dict[str, str]:
    return {
        "offline": _("No connection. You are reading what was saved on this tablet."),
        "speak": _("Read aloud"),
        "stop": _("Stop reading"),
        "no_speech": _("This tablet cannot read aloud. Please ask the help desk."),
        "sent_safe": _("Sent: you are safe. Thank you."),
        "sent_help": _("Sent: you need help. The city has been told."),
        "not_sent": _("Not sent (no connection). Please press again, or call 119 in an emergency."),
        "notifications_on": _("Alerts will also come when this screen is closed."),
    }


def tablet_config(device) -> dict:
    from toki.community.views_tablet import push_public_key

    return {
        "pollUrl": reverse("community_tablet:poll"),
        "pollSeconds": settings.TOKI_COMMUNITY_POLL_SECONDS,
        "replyUrl": reverse("community_tablet:reply"),
        "alertUrl": reverse("community_tablet:alert"),
        "homeUrl": reverse("community_tablet:home"),
        "pushUrl": reverse("community_tablet:push_subscribe"),
        "serviceWorker": reverse("community_tablet:sw"),
        "scope": reverse("community_tablet:home"),
        "version": APP_VERSION,
        "publicKey": push_public_key(),
        "webpushScript": static("notify/webpush.js") if _has_static("notify/webpush.js") else "",
        "family": device.is_family,
        "strings": tablet_strings(),
    }


def _has_static(path: str) -> bool:
    from django.contrib.staticfiles import finders

    return finders.find(path) is not None
