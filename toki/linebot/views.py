"""The LINE webhook endpoint and the one-time 受信設定 page."""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from toki.linebot.actions.webhook import record_webhook_events
from toki.linebot.settings_page import settings_page  # noqa: F401 - routed in urls.py
from toki.linebot.webhook import MAX_BODY_BYTES, WebhookRejected, parse_events, signature_is_valid

logger = logging.getLogger(__name__)


def _refuse(status: int, reason: str) -> JsonResponse:
    logger.warning("LINE webhook refused (%s): %s", status, reason)
    return JsonResponse({"error": reason}, status=status)


@csrf_exempt
@require_POST
def webhook(request):
    """POST /line/webhook: check size, signature (over the raw body) and envelope; store each new event once and
    answer 200 at once. The events are handled by a task after commit. 400 with the reason for a bad request,
    and then nothing is stored."""
    if not settings.LINE_CHANNEL_SECRET:
        return _refuse(503, "the LINE webhook is not configured (LINE_CHANNEL_SECRET is empty)")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400, "invalid Content-Length")
    if length > MAX_BODY_BYTES:
        return _refuse(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    body = request.body  # the raw bytes, exactly as signed
    if len(body) > MAX_BODY_BYTES:  # sent without a Content-Length
        return _refuse(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    signature = request.headers.get("X-Line-Signature", "")
    if not signature:
        return _refuse(400, "the X-Line-Signature header is missing")
    if not signature_is_valid(body, signature, settings.LINE_CHANNEL_SECRET):
        return _refuse(400, "the X-Line-Signature does not match the body")
    try:
        events = parse_events(body)
    except WebhookRejected as rejected:
        return _refuse(400, str(rejected))
    new_ids = record_webhook_events(events)
    return HttpResponse(status=200, content=f"{len(new_ids)} new of {len(events)}", content_type="text/plain")
