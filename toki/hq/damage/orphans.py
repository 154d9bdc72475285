"""Photo files no damage-report version holds (issue 22): a report's photos are written before its transaction
(the files are large; the transaction stays short), and a refused report removes its files, but a process killed
between the write and the COMMIT (SIGKILL, OOM, power) leaves them behind. `prune_orphan_photos` deletes them.

Only files older than `min_age` go: a file that young may belong to a report whose transaction is still open.
Runs from `run_scheduler` every hour; idempotent and safe to run twice at once (a file already gone is skipped).
"""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from toki.hq.damage.models import DamagePhoto

PHOTO_DIR = "damage"
MIN_AGE = timedelta(hours=1)


def _files(directory: str):
    if not default_storage.exists(directory):
        return
    folders, files = default_storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}"
    for folder in folders:
        yield from _files(f"{directory}/{folder}")


def prune_orphan_photos(*, min_age: timedelta = MIN_AGE, now=None) -> dict:
    """Delete photo files older than `min_age` that no DamagePhoto row names. Returns counts."""
    now = now or timezone.now()
    kept = deleted = young = 0
    for name in _files(PHOTO_DIR):
        if DamagePhoto.objects.filter(file=name).exists():
            kept += 1
            continue
        try:
            if default_storage.get_modified_time(name) > now - min_age:
                young += 1
                continue
            default_storage.delete(name)
        except FileNotFoundError:
            continue  # another run took it
        deleted += 1
    return {"kept": kept, "deleted": deleted, "young": young}
