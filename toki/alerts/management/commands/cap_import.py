"""Import CAP 1.2 messages from files, through the import action (validated, audited, all-or-nothing per file).

    python manage.py cap_import PATH... [--user USERNAME]

PATH may be a file or a directory (its *.xml and *.cap files, sorted; every other file in it is named on stderr as
skipped, with the reason). One line per file: imported (with the alert id),
duplicate, not concerning, or rejected with the reason (also kept as a quarantined input). The command exits
non-zero when any file was rejected or could not be read.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from toki.alerts.actions.cap import Outcome, import_cap
from toki.areas.selectors import default_municipality

_LABELS = {Outcome.IMPORTED: "imported", Outcome.DUPLICATE: "duplicate", Outcome.NOT_CONCERNING: "not concerning",
           Outcome.REJECTED: "rejected"}


CAP_SUFFIXES = (".xml", ".cap")
_SKIP_REASONS = {
    ".atom": "an Atom feed, not a CAP message: import the CAP files its entries link to",
    ".rss": "an RSS feed, not a CAP message: import the CAP files its items link to",
}


def _expand(paths: list[str]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(the files to import, the files of the directories given that are skipped with the reason)."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for name in paths:
        path = Path(name)
        if not path.is_dir():
            files.append(path)
            continue
        for child in sorted(p for p in path.iterdir() if p.is_file()):
            suffix = child.suffix.lower()
            if suffix in CAP_SUFFIXES:
                files.append(child)
            else:
                reason = _SKIP_REASONS.get(suffix, f"not a CAP file (expected {' or '.join(CAP_SUFFIXES)})")
                skipped.append((child, reason))
    return files, skipped


class Command(BaseCommand):
    help = "Import CAP 1.2 alert files; those concerning the municipality become alerts."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="CAP files or directories of them")
        parser.add_argument("--user", metavar="USERNAME", help="the staff user to record as the actor (default: "
                                                               "the system)")

    def handle(self, *args, paths, user, **options):
        acting_user = self._user(user)
        if default_municipality() is None:
            raise CommandError("no municipality profile is loaded (manage.py seed_demo or load_profile)")
        failures = 0
        files, skipped = _expand(paths)
        for path, reason in skipped:
            self.stderr.write(f"{path}\tskipped\t{reason}")
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"{path}\tunreadable\t{exc.strerror or exc}")
                failures += 1
                continue
            result = import_cap(data, acting_user=acting_user, origin=str(path))
            line = f"{path}\t{_LABELS[result.outcome]}"
            if result.alert is not None:
                line += f"\talert {result.alert.pk} ({result.alert.identifier})"
            if result.outcome == Outcome.IMPORTED:
                line += "\t" + ", ".join(f"{m.rule}: {m.detail}" for m in result.matches)
            elif result.reason and result.outcome != Outcome.DUPLICATE:
                line += f"\t{result.reason}"
            if result.rejected:
                failures += 1
                self.stderr.write(line)
            else:
                self.stdout.write(line)
        if failures:
            raise CommandError(f"{failures} of {len(files)} file(s) rejected or unreadable")

    def _user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--user {username!r}: no such active user")
        return user
