"""The rules a status report must meet, shared by the staff form, the actions and the import."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from toki.lifelines.models import Kind, Status, StatusReport

# A clock a little fast at the source should not refuse a report; an hour ahead is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=10)
_url = URLValidator(schemes=["http", "https"])
_MAX = {f: StatusReport._meta.get_field(f).max_length for f in ("detail", "source", "source_url")}


def report_errors(*, status, source, as_of, detail="", source_url="", expected_restoration_at=None,
                  now=None) -> dict[str, str]:
    """{field: reason} for everything wrong with a report; empty when it is fine."""
    errors: dict[str, str] = {}
    now = now or timezone.now()
    if status not in Status.values:
        errors["status"] = f"unknown status {status!r} (use one of {', '.join(Status.values)})"
    if not (source or "").strip():
        errors["source"] = "give the source (who says so, e.g. 佐渡汽船)"
    for name, value in (("detail", detail), ("source", source), ("source_url", source_url)):
        if value and len(value) > _MAX[name]:
            errors[name] = f"at most {_MAX[name]} characters (this has {len(value)})"
    if source_url and "source_url" not in errors:
        try:
            _url(source_url)
        except ValidationError:
            errors["source_url"] = "not an http(s) URL"
    if as_of is None:
        errors["as_of"] = "give the time the status was true"
    elif timezone.is_naive(as_of):
        errors["as_of"] = "the time needs a time zone"
    elif as_of > now + FUTURE_TOLERANCE:
        errors["as_of"] = "the time is in the future"
    if expected_restoration_at is not None:
        if timezone.is_naive(expected_restoration_at):
            errors["expected_restoration_at"] = "the time needs a time zone"
        elif status == Status.NORMAL:
            errors["expected_restoration_at"] = "a lifeline that is normal has no expected restoration"
        elif as_of is not None and "as_of" not in errors and expected_restoration_at < as_of:
            errors["expected_restoration_at"] = "expected restoration is before the time of the status"
    return errors


def lifeline_errors(*, kind, name) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = f"unknown kind {kind!r} (use one of {', '.join(Kind.values)})"
    if not (name or "").strip():
        errors["name"] = "give the lifeline's name"
    elif len(name) > 120:
        errors["name"] = "at most 120 characters"
    return errors
