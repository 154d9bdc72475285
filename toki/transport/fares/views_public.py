"""Public endpoints: the city's published credential keys (JWKS) and the payment providers' webhooks."""

import logging

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from toki.transport.fares import actions, credentials
from toki.transport.fares.payments import BadSignature, ProviderError, get_provider

logger = logging.getLogger(__name__)


@require_GET
@cache_control(public=True, max_age=3600)
def jwks(request):
    try:
        keys = credentials.jwks()
    except ImproperlyConfigured as error:
        logger.error("fares: %s", error)  # published empty: nothing signed here can be verified anyway
        keys = {"keys": []}
    response = JsonResponse(keys)
    response["Access-Control-Allow-Origin"] = "*"  # public keys: any verifier may fetch them
    return response


@csrf_exempt
@require_POST
def webhook(request, provider: str):
    try:
        payment_provider = get_provider(provider)
    except ProviderError:
        return HttpResponseBadRequest("webhook refused: unknown provider")
    try:
        event = payment_provider.parse_webhook(request.body, request.headers)
    except BadSignature as error:
        logger.warning("fares: %s webhook refused: %s", provider, error)
        return HttpResponseBadRequest(f"webhook refused: {error}")
    outcome = actions.handle_payment_event(provider_name=payment_provider.name, event=event)
    return JsonResponse({"received": True, "outcome": outcome})
