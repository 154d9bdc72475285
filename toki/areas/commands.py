"""What management commands share about the municipality they work for."""

from django.core.management.base import CommandError

from toki.areas.models import Municipality
from toki.areas.selectors import default_municipality


def municipality_option(code: str | None) -> Municipality:
    """The municipality a command's `--municipality CODE` names, or the default one; a clear CommandError when
    there is none (a fresh database without a profile, a mistyped code)."""
    if code is None:
        target = default_municipality()
        if target is None:
            raise CommandError("no default municipality: load a profile first (manage.py load_profile)")
        return target
    target = Municipality.objects.filter(code=code).first()
    if target is None:
        raise CommandError(f"--municipality {code}: no such municipality (load its profile first)")
    return target
