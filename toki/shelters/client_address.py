"""The client address that the public shelter pages' rate limits are keyed on (pre-registration).

One small function so that the project's one client-address rule (security issue 13, finding 1: the forwarded
address from a trusted proxy, IPv6 by /64; `toki.lib.client_address.client_address`, written separately) can
replace it in one place. Until then: the address the WSGI server saw."""


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
