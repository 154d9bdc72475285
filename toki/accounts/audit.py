"""Writing audit events. Called by every app's actions inside their transaction."""

from django.db import models

from toki.accounts.models import AuditEvent


def record(*, actor, action: str, obj: models.Model | None = None, changes: dict | None = None) -> AuditEvent:
    """Append an AuditEvent for `action` on `obj` by `actor` (None for the system itself)."""
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor_id=actor_id, action=action, object_type=object_type, object_id=object_id, changes=changes or {}
    )
