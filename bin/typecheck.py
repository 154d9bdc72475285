#!/usr/bin/env python3
"""mypy (with django-stubs' plugin) over the whole tree, held to a baseline that may only shrink.

`.ci/baselines/mypy.txt` holds, per file, how many errors mypy reported there when the baseline was recorded
("<count> <path>" lines). This script fails when any file has more errors than its line allows (a file with no
line allows none), printing that file's errors, and also when a file has fewer: then `bin/typecheck.py --shrink`
writes the lower numbers (it never raises one), so the baseline cannot grow back. A moved file takes its line
with it (edit the path by hand; review sees it). Config: [tool.mypy] in pyproject.toml. docs/ci.md.

Usage (from the repository root): .venv/bin/python bin/typecheck.py [--shrink], or `make typecheck`
"""

import re
import sys
from collections import Counter
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "baselines" / "mypy.txt"
HEADER = (
    "# mypy errors allowed per file (issue 15 part 4): may only go down. Written by `bin/typecheck.py --shrink`;\n"
    "# never raise a number or add a file by hand. docs/ci.md.\n"
)
ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):\d+(?::\d+)?: error: ")


def read_baseline() -> dict[str, int]:
    allowed = {}
    for line in BASELINE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            count, path = line.split(maxsplit=1)
            allowed[path] = int(count)
    return allowed


def write_baseline(allowed: dict[str, int]) -> None:
    lines = [f"{count} {path}\n" for path, count in sorted(allowed.items()) if count > 0]
    BASELINE.write_text(HEADER + "".join(lines), encoding="utf-8")


def main(argv: list[str]) -> int:
    shrink = argv == ["--shrink"]
    if argv and not shrink:
        print(__doc__)
        return 2
    stdout, stderr, status = api.run(["--no-error-summary", "--no-pretty"])
    if status not in (0, 1) or stderr:  # 2: mypy itself failed (bad config, crash)
        print(stdout + stderr)
        return 2
    errors: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        if match := ERROR.match(line):
            errors.setdefault(match["path"], []).append(line)
    found = Counter({path: len(lines) for path, lines in errors.items()})
    allowed = read_baseline()
    worse = sorted(path for path in found if found[path] > allowed.get(path, 0))
    better = sorted(path for path in allowed if found[path] < allowed[path])
    for path in worse:
        print(f"\n{path}: {found[path]} errors, the baseline allows {allowed.get(path, 0)}:")
        print("\n".join(errors[path]))
    print(
        f"\nmypy: {found.total()} errors in {len(found)} files; the baseline allows {sum(allowed.values())} "
        f"in {len(allowed)} files. More than allowed in {len(worse)} files, fewer in {len(better)}."
    )
    if worse:
        print("Fix the new errors (the baseline may only shrink).")
        return 1
    if better and shrink:
        write_baseline({path: min(count, found[path]) for path, count in allowed.items()})
        print(f"Baseline lowered for: {', '.join(better)}")
    elif better:
        print(f"Fewer errors than the baseline in: {', '.join(better)}. Run `bin/typecheck.py --shrink` and commit it.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
