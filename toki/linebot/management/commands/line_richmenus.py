"""Create or update Toki's LINE rich menus (防災メニュー, tourist menu, 災害モード menu) and set the default one.

    manage.py line_richmenus                 # create what changed, set the default, delete outdated menus
    manage.py line_richmenus --save-images DIR   # also write the PNGs to look at them
    manage.py line_richmenus --images-only DIR   # only draw the PNGs (no LINE calls)

Idempotent: run it after every deployment; nothing changes on LINE when the menus did not. See docs/line.md.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from linebot.v3.messaging import ApiException

from toki.linebot.richmenu_sync import sync_menus
from toki.linebot.richmenus import FontMissing, find_font, menus, render_image
from toki.notify.line import client


class Command(BaseCommand):
    help = "Create or update the LINE rich menus and set the default one (the disaster menu in disaster mode)."

    def add_arguments(self, parser):
        parser.add_argument("--font", help="a font file with Japanese glyphs (default: Noto Sans CJK JP Bold)")
        parser.add_argument("--save-images", metavar="DIR", help="also write the menu images as PNG files here")
        parser.add_argument("--images-only", metavar="DIR", help="only write the images here; call no API")

    def handle(self, *args, **options):
        try:
            font_file = (options["font"], 0) if options["font"] else find_font()
        except FontMissing as missing:
            raise CommandError(str(missing)) from None
        folder = options["images_only"] or options["save_images"]
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            for menu in menus():
                path = Path(folder) / f"richmenu-{menu.key}.png"
                path.write_bytes(render_image(menu, font_file))
                self.stdout.write(f"wrote {path}")
        if options["images_only"]:
            return
        if not client.is_configured():
            raise CommandError("LINE_CHANNEL_ACCESS_TOKEN is empty: set it to create the rich menus")
        try:
            report = sync_menus(font_file=font_file)
        except ApiException as exc:
            raise CommandError(f"LINE refused a rich menu request: HTTP {exc.status} {exc.body!r}") from None
        for key, rich_menu_id in report.created.items():
            self.stdout.write(f"created {key}: {rich_menu_id}")
        for key, rich_menu_id in report.kept.items():
            self.stdout.write(f"unchanged {key}: {rich_menu_id}")
        for rich_menu_id in report.deleted:
            self.stdout.write(f"deleted outdated {rich_menu_id}")
        if report.relinked:
            self.stdout.write(f"linked the new tourist menu to {report.relinked} tourist subscribers")
        self.stdout.write(self.style.SUCCESS(f"default menu: {report.default_key or 'none'}"))
