from django.core.exceptions import PermissionDenied, ValidationError


class NotAllowed(PermissionDenied):
    """The acting user may not do this (views turn it into a 404 or 403)."""


__all__ = ["NotAllowed", "ValidationError"]
