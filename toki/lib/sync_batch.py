"""Reading a device's batch of immutable events (the shelter tablet's contract, docs/shelter-ops-sync.md) for the
plain Django endpoints that reuse it (the fares checker's uses, the registry supporters' 安否 answers): the body as
a whole is checked here — size, JSON, a device id and 1–N events — and each event is then judged on its own by
the app. A body that cannot be read as a whole is answered 413 / 400 / 422 with what is wrong."""

import json

from django.http import JsonResponse


def read_batch(request, *, max_body: int, max_events: int) -> tuple[str, list] | JsonResponse:
    """(device id, events), or the JsonResponse refusing the body."""
    if len(request.body) > max_body:
        return JsonResponse({"detail": "Request body too large"}, status=413)
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        return JsonResponse({"detail": "Cannot parse request body"}, status=400)
    device = body.get("device_id") if isinstance(body, dict) else None
    events = body.get("events") if isinstance(body, dict) else None
    if (not isinstance(device, str) or not 1 <= len(device) <= 64 or not device.isascii()
            or not device.isprintable() or not isinstance(events, list) or not 1 <= len(events) <= max_events):
        return JsonResponse({"detail": [{"loc": ["body"], "msg": "device_id (1-64 printable ASCII) and 1-"
                                         f"{max_events} events are required"}]}, status=422)
    return device, events
