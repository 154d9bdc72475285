"""Parse JMA 防災情報XML telegram files and print them, optionally with their relevance to a municipality.

    python manage.py jma_parse PATH... [--json] [--profile profiles/sado.json]

PATH may be a file or a directory (its *.xml files, sorted). A file that cannot be parsed prints one line naming
it and the reason on stderr; the others are still printed, and the command exits non-zero at the end.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from toki.alerts.jma import JmaParseError, Telegram, load_profile_codes, matching_areas, parse_file


def _expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(path.glob("*.xml")) if path.is_dir() else [path])
    return files


def _summary(path: Path, telegram: Telegram, relevance: dict | None) -> str:
    columns = [
        str(path),
        telegram.message_type.code or "?",
        telegram.title,
        telegram.status,
        telegram.info_type,
        telegram.report_datetime.isoformat(),
    ]
    if relevance is not None:
        matched = ", ".join(f"{area['key']}:{area['code'] or area['name']}" for area in relevance["matched_areas"])
        columns.append(f"concerns={'yes' if relevance['concerns'] else 'no'}" + (f" ({matched})" if matched else ""))
    return "\t".join(columns)


class Command(BaseCommand):
    help = "Parse JMA XML telegram files into the normalised model (JSON with --json)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="telegram files or directories of them")
        parser.add_argument("--json", action="store_true", help="print one JSON object per telegram (JSON Lines)")
        parser.add_argument("--profile", metavar="PROFILE.json", help="municipality profile to test relevance")

    def handle(self, *args, **options):
        profile_codes = self._profile_codes(options["profile"])
        files = _expand(options["paths"])
        failures = sum(not self._print_one(path, profile_codes, options["json"]) for path in files)
        if failures:
            raise CommandError(f"{failures} of {len(files)} telegram(s) could not be parsed")

    def _profile_codes(self, profile: str | None) -> dict | None:
        if profile is None:
            return None
        try:
            return load_profile_codes(profile)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the profile {profile}: {exc}") from exc

    def _print_one(self, path: Path, profile_codes: dict | None, as_json: bool) -> bool:
        try:
            telegram = parse_file(path)
            relevance = self._relevance(telegram, profile_codes)
        except (JmaParseError, ValueError) as exc:
            self.stderr.write(f"{path}: {exc}")
            return False
        if as_json:
            record = {"file": str(path), **(relevance or {}), "telegram": telegram.to_dict()}
            self.stdout.write(json.dumps(record, ensure_ascii=False))
        else:
            self.stdout.write(_summary(path, telegram, relevance))
        return True

    def _relevance(self, telegram: Telegram, profile_codes: dict | None) -> dict | None:
        if profile_codes is None:
            return None
        matches = matching_areas(telegram, profile_codes)
        return {
            "concerns": bool(matches),
            "matched_areas": [
                {"key": match.key, "name": match.area.name, "code": match.area.code, "code_type": match.area.code_type}
                for match in matches
            ],
        }
