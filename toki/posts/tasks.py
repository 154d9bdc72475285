"""Background work for citizen posts."""

from toki.lib.tasks import task
from toki.posts import photos


@task
def delete_photo(name: str) -> None:
    """Remove the stored file of a rejected post (idempotent: a missing file is fine)."""
    photos.delete(name)
