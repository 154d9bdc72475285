"""Writing a snapshot of the 軽量版 atomically, and deciding whether a change still needs one.

Layout of settings.TOKI_STATIC_SITE_DIR (docs/static-site.md):

    current -> snapshot-20261124T101502.123456Z    the symlink nginx serves (relative, so the tree can move)
    snapshot-20261124T101502.123456Z/              the newest snapshot; the TOKI_STATIC_SITE_KEEP before it stay
    .built-at                                      when the newest snapshot started reading the database (UTC)
    .publish.lock                                  held while publishing: one publisher at a time per machine

A snapshot is written into `.building-<name>/`, renamed to `snapshot-<name>/` and only then published by
renaming a fresh symlink over `current` (rename(2) is atomic), so a reader sees the old snapshot or the new one,
never a mixture or a half-written file.

Debouncing: a change is stamped with the time its transaction committed (`changed_at`). A publish records the
time it started reading the database in `.built-at`; a later request whose `changed_at` is not newer than that
is already in the snapshot and is skipped. A burst of 50 changes then costs a publish for the first and at most
one more for all those that committed while it ran, whatever the number of workers (they queue on the lock and
re-check). The stamps compare the clocks of the machines that commit and publish: keep them NTP-synchronised.
"""

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

CURRENT = "current"
PREFIX = "snapshot-"
BUILDING = ".building-"
STAMP = ".built-at"
LOCK = ".publish.lock"
STAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"


@dataclass(frozen=True)
class PublishResult:
    published: bool
    snapshot: Path | None = None
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped_reason: str = ""


def site_root() -> Path:
    return Path(settings.TOKI_STATIC_SITE_DIR)


@contextmanager
def publish_lock(root: Path):
    """An exclusive lock on root/.publish.lock (released when the process dies, so a crash never wedges it)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def last_built_at(root: Path | None = None) -> datetime | None:
    """When the current snapshot started reading the database; None before the first publish."""
    try:
        text = ((root or site_root()) / STAMP).read_text().strip()
        return datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=UTC)
    except (OSError, ValueError):
        return None


def current_snapshot(root: Path | None = None) -> Path | None:
    link = (root or site_root()) / CURRENT
    return link.resolve() if link.is_symlink() else None


def _write_atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _write_tree(directory: Path, files: dict[str, bytes]) -> int:
    total = 0
    resolved = directory.resolve()
    for relative, content in files.items():
        target = directory / relative
        if resolved not in target.resolve().parents:
            raise ValueError(f"snapshot file {relative!r} escapes the snapshot directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        total += len(content)
    # World-readable (nginx workers run as another user); the snapshot holds public data only.
    for path in [directory, *directory.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return total


def _swap(root: Path, name: str) -> None:
    """Point `current` at `name` with one rename(2) of a fresh symlink over the old one."""
    tmp_link = root / f".{CURRENT}-{name}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(name)
    os.replace(tmp_link, root / CURRENT)
    # The rename must reach the disk before we delete what the old link pointed at.
    directory = os.open(root, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _prune(root: Path, keep: int) -> None:
    """Delete snapshots older than the current one and the `keep` before it, and leftovers of crashed builds."""
    current = os.readlink(root / CURRENT)
    snapshots = sorted(p.name for p in root.glob(PREFIX + "*") if p.is_dir() and not p.is_symlink())
    older = [name for name in snapshots if name < current]
    doomed = older[:-keep] if keep > 0 else older
    for name in doomed:
        shutil.rmtree(root / name, ignore_errors=True)
    # Under the lock no other build is running: every .building-* directory is a crashed publisher's.
    for leftover in root.glob(BUILDING + "*"):
        shutil.rmtree(leftover, ignore_errors=True)


def publish(build: Callable[[datetime], dict[str, bytes]], *, changed_at: datetime | None = None,
            root: Path | None = None, keep: int | None = None) -> PublishResult:
    """Build a snapshot with `build(started_at)` ({relative path: bytes}) and make it current.

    With `changed_at`, skip when the current snapshot started reading after that change committed."""
    root = root or site_root()
    keep = settings.TOKI_STATIC_SITE_KEEP if keep is None else keep
    with publish_lock(root):
        built = last_built_at(root)
        if changed_at is not None and built is not None and built >= changed_at and current_snapshot(root):
            return PublishResult(published=False, skipped_reason="the current snapshot already has this change")
        clock = time.monotonic()
        started_at = timezone.now()
        # Names sort in publishing order even if the clock stepped back (then the stamp goes back too, which only
        # makes the next requests publish again rather than skip).
        named_at = max(started_at, built + timedelta(microseconds=1)) if built else started_at
        name = PREFIX + named_at.astimezone(UTC).strftime(STAMP_FORMAT)
        files = build(started_at)
        building = root / (BUILDING + name)
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        try:
            size = _write_tree(building, files)
            os.rename(building, root / name)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        _swap(root, name)
        _write_atomic_text(root / STAMP, started_at.astimezone(UTC).strftime(STAMP_FORMAT))
        _prune(root, keep)
    seconds = round(time.monotonic() - clock, 3)
    logger.info("static site: published %s (%d files, %d bytes) in %.2f s", name, len(files), size, seconds)
    return PublishResult(published=True, snapshot=root / name, files=len(files), bytes=size, seconds=seconds)
