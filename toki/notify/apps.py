import sys
import threading

from django.apps import AppConfig

# Processes that send: they import the LINE SDK at start-up rather than when the first alert arrives.
WORKER_COMMANDS = {"run_worker", "db_worker", "rqworker"}


def _import_line_sdk() -> None:
    import linebot.v3.messaging  # noqa: F401 - seconds of generated classes, loaded before they are needed


class NotifyConfig(AppConfig):
    name = "toki.notify"
    verbose_name = "Notifications"

    def ready(self):
        # A task worker imports the SDK in the background while it waits for work, so that the first batch of
        # an alert is not delayed by the import (2–5 s on a small machine). Other processes never load it.
        if len(sys.argv) > 1 and sys.argv[1] in WORKER_COMMANDS:
            threading.Thread(target=_import_line_sdk, name="line-sdk-import", daemon=True).start()
