"""Compile locale/*/LC_MESSAGES/*.po into .mo with polib, so no GNU gettext install is needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's .po translation files into .mo files (pure Python, idempotent)."

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                try:
                    catalogue = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{po_path}: {exc}") from exc
                tmp_path = mo_path.with_suffix(".mo.tmp")
                catalogue.save_as_mofile(str(tmp_path))
                tmp_path.replace(mo_path)  # atomic: a running server never reads half a catalogue
                compiled += 1
        self.stdout.write(f"compiled {compiled} translation catalogue(s)")
