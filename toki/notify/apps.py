import logging
import sys
import threading
import time

from django.apps import AppConfig

# The sending channels (toki.notify.channels): channel value → its ChannelTransport. A new channel is its folder
# under toki/notify/ and one line here.
CHANNELS = {
    "line": "toki.notify.line.transport.LineTransport",  # Channel.LINE
    "webpush": "toki.notify.webpush.transport.WebPushTransport",  # Channel.WEBPUSH (docs/webpush.md)
}

# Processes that send: they import the LINE SDK at start-up rather than when the first alert arrives.
WORKER_COMMANDS = {"run_worker", "db_worker", "rqworker"}


def _warm_up() -> None:
    started = time.monotonic()
    import linebot.v3.messaging  # noqa: F401 - seconds of generated classes, loaded before they are needed

    # The URLconf (planning links each message to the portal): a second or more of imports on a small machine,
    # paid by the first alert otherwise. Only once the app registry is complete.
    from django.apps import apps

    while not apps.ready:
        time.sleep(0.05)
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf
    logging.getLogger("toki.notify").info("worker warmed up (LINE SDK, URLconf) in %.1f s",
                                          time.monotonic() - started)


class NotifyConfig(AppConfig):
    name = "toki.notify"
    verbose_name = "Notifications"

    def ready(self):
        from toki.lib import audience
        from toki.notify import channels
        from toki.notify.actions.planning import estimate_recipients

        for channel, transport in CHANNELS.items():
            channels.register(channel, transport)
        audience.register("notify", estimate_recipients)
        # A task worker imports the SDK and the URLconf in the background while it waits for work, so that the
        # first batch of an alert is not delayed by the imports (2–5 s on a small machine). Other processes never
        # load the SDK.
        if len(sys.argv) > 1 and sys.argv[1] in WORKER_COMMANDS:
            threading.Thread(target=_warm_up, name="notify-warm-up", daemon=True).start()
