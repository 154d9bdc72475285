"""Publish the static 軽量版 now (docs/static-site.md). Safe to run at any time and twice at once: publishers
queue on a lock and each leaves one complete snapshot as `current`. Run every few minutes by run_scheduler as a
safety net behind the on-change republishing; `--loop` runs it on its own."""

import time

from django.core.management.base import BaseCommand

from toki.portal.static_site.build import build_snapshot
from toki.portal.static_site.publish import publish, site_root


class Command(BaseCommand):
    help = "Publish a snapshot of the public pages (HTML and JSON) into TOKI_STATIC_SITE_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="publish every --interval seconds until stopped")
        parser.add_argument("--interval", type=int, default=300, help="seconds between publishes with --loop")

    def handle(self, *args, loop=False, interval=300, **options):
        while True:
            result = publish(build_snapshot)
            self.stdout.write(f"published {result.snapshot.name} in {site_root()}: {result.files} files, "
                              f"{result.bytes} bytes, {result.seconds:.2f} s")
            if not loop:
                return
            time.sleep(max(interval, 1))
