"""The resident's pages: verify residency with the My Number card (OpenID Connect), the digital resident card
and passes as QR codes, buying a pass, applying as 準住民. A resident has no account: after the OpenID login the
browser session holds the holder's id (and nothing else about the person)."""

import logging
from collections.abc import Iterable
from typing import cast
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from toki.transport.fares import actions, oidc, selectors
from toki.transport.fares.conf import PRODUCTS, price_yen
from toki.transport.fares.forms import BuyForm, QuasiForm
from toki.transport.fares.models import Credential
from toki.transport.fares.payments import ProviderError, checkout_origin

logger = logging.getLogger(__name__)
HOLDER = "fares_holder"


def _qr_svg(token: str) -> str:
    return segno.make(token, error="l").svg_inline(scale=4, dark="#000", light="#fff")


def _callback(request) -> str:
    return request.build_absolute_uri(reverse("fares:callback"))


@require_GET
@never_cache
def home(request):
    holder = selectors.holder_of_session(request.session)
    context = {"holder": holder, "login_offered": bool(settings.TOKI_FARES_OIDC_ISSUER),
               "products": [(p, price_yen(p)) for p in PRODUCTS], "now": timezone.now()}
    if holder is not None:
        eligible = holder.eligible_at(timezone.now())
        context["eligible"] = eligible
        if eligible:
            card = selectors.card_of(holder)
            token = actions.token_for(card) if card else actions.issue_credential(
                holder=holder, kind=Credential.Kind.CARD)[1]
            context["card"] = {"token": token, "qr": _qr_svg(token), "valid_until": holder.expires_at}
            context["passes"] = [{"credential": c, "token": (t := actions.token_for(c)), "qr": _qr_svg(t)}
                                 for c in selectors.passes_of(holder)]
    response = render(request, "fares/home.html", context)
    response._csp_config = _csp_with_redirects()  # type: ignore[attr-defined]  # Django's csp_override attribute
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _csp_with_redirects() -> dict:
    """The site's CSP, with the two places this page's forms are redirected to allowed in form-action (Chromium
    checks form-action on the redirect after a POST): the OpenID provider and the payment page."""
    config: dict[str, list] = {key: list(cast(Iterable, value)) for key, value in settings.SECURE_CSP.items()}
    extra = [origin for origin in (_origin(settings.TOKI_FARES_OIDC_ISSUER), checkout_origin()) if origin]
    config["form-action"] = [*config.get("form-action", []), *extra]
    return config


@require_POST
def start(request):
    if not settings.TOKI_FARES_OIDC_ISSUER:
        raise Http404("the My Number login is not configured on this site")
    try:
        return HttpResponseRedirect(oidc.start(request.session, _callback(request)))
    except oidc.OidcError as error:
        logger.warning("fares: the OpenID login could not start (%s)", error.code)
        return render(request, "fares/error.html", {"code": error.code}, status=502)


@require_GET
@never_cache
def callback(request):
    try:
        verified = oidc.finish(request.session, _callback(request), request.GET)
    except oidc.OidcError as error:
        logger.info("fares: OpenID login refused (%s)", error.code)  # the reason only, never a claim
        return render(request, "fares/error.html", {"code": error.code}, status=400)
    holder = actions.record_residency(verified=verified)
    request.session.cycle_key()
    request.session[HOLDER] = holder.pk
    return redirect("fares:home")


@require_POST
def forget(request):
    request.session.pop(HOLDER, None)
    return redirect("fares:home")


@require_POST
def buy(request):
    holder = selectors.holder_of_session(request.session)
    if holder is None:
        return redirect("fares:home")
    form = BuyForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("product: choose one of " + ", ".join(PRODUCTS))
    try:
        _purchase, url = actions.start_purchase(
            holder=holder, product=form.cleaned_data["product"],
            success_url=request.build_absolute_uri(reverse("fares:bought", args=["PLACEHOLDER"])).replace(
                "PLACEHOLDER", "{CHECKOUT_SESSION_ID}"),
            cancel_url=request.build_absolute_uri(reverse("fares:home")))
    except actions.FaresError as error:
        return render(request, "fares/error.html", {"message": str(error)}, status=400)
    except ProviderError as error:
        logger.warning("fares: checkout not created: %s", error)
        return render(request, "fares/error.html", {"code": "provider_unreachable"}, status=502)
    return HttpResponseRedirect(url)


@require_GET
@never_cache
def bought(request, session_id: str):
    holder = selectors.holder_of_session(request.session)
    if holder is None:
        return redirect("fares:home")
    purchase = holder.purchases.filter(provider_session=session_id[:255]).first()
    return render(request, "fares/bought.html", {"purchase": purchase})


@never_cache
def quasi(request):
    holder = selectors.holder_of_session(request.session)
    if holder is None:
        return redirect("fares:home")
    form = QuasiForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.apply_quasi(holder=holder, category=form.cleaned_data["category"],
                                evidence=form.cleaned_data["evidence"])
        except actions.FaresError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "fares/quasi_sent.html")
    return render(request, "fares/quasi.html", {"form": form}, status=400 if form.errors else 200)
