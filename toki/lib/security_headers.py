"""Permissions-Policy on every response (Django has no setting for it; CSP is Django's own middleware).

The policy is `TOKI_PERMISSIONS_POLICY` in settings: feature -> allowed origins ("self", or none at all).
Only features Chromium and Firefox know are listed, so browsers log no "unrecognized feature" errors.
"""

from django.conf import settings


def header_value(policy: dict[str, list[str]]) -> str:
    """`{"geolocation": ["self"], "camera": []}` -> `geolocation=(self), camera=()`."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.TOKI_PERMISSIONS_POLICY
        if policy and "Permissions-Policy" not in response:
            response.headers["Permissions-Policy"] = header_value(policy)
        return response
