"""Helpers shared by the HQ views."""

from django.core.exceptions import ValidationError
from django.http import Http404

from toki.hq.permissions import may_read_incidents


def require_staff(request) -> None:
    """Incident pages are for members of incident-work org units; anyone else gets a 404 (not a hint)."""
    if not may_read_incidents(request.user):
        raise Http404


def form_error(form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form: per field where the form has that field, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
