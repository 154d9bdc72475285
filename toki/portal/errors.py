"""Error pages (400, 403, 404, 500 and a refused form) in the reader's language, with the site header and a way
forward: the home page, the staff login, or for a logged-in member of staff their start page. (A limit reached,
429, is answered by the page that has the limit, which says how long to wait: the 安否 search, pre-registration,
posts.)

Django calls the handlers named in toki/urls.py (`handler404` …) and settings.CSRF_FAILURE_VIEW when DEBUG is off.
With DEBUG on (the demo, `make run`) Django would show its technical pages instead, which list every URL of the
site and a traceback with settings; `DebugErrorPagesMiddleware` shows these pages in their place unless a
developer sets TOKI_DEBUG_ERROR_PAGES=1 (docs/settings.md).
"""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, MiddlewareNotUsed, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

log = logging.getLogger("django.request")

PAGES = {
    400: (_("The request could not be understood"),
          _("Something in the address or the form sent was not valid. Go back and try again, or start from the "
            "home page.")),
    403: (_("You may not open this page"),
          _("This page is not open to you. If you are staff, log in with an account that has access to it.")),
    404: (_("Page not found"),
          _("There is no page at this address, or it is not open to you. Check the address, or start from the "
            "home page.")),
    500: (_("Something went wrong on our side"),
          _("The page could not be shown because of an error in this site. It has been recorded. Please try "
            "again in a moment; in an emergency call 119 (fire, ambulance) or 110 (police).")),
}
CSRF_PAGE = (_("The form could not be sent"),
             _("The form had expired or your browser did not send its cookie. Go back, reload the page and send the "
               "form again. Cookies must be allowed for this site."))


def error_page(request, status: int, page: tuple | None = None) -> HttpResponse:
    """The error page for `status`, rendered with the site's header (its context processors read the database).
    If that fails too (the database is what broke), a plain page without them."""
    title, message = page or PAGES[status]
    context = {"status": status, "title": title, "message": message}
    try:
        content = loader.render_to_string("errors/error.html", context, request=request)
    except Exception:
        log.exception("the error page itself failed; sending the plain one")
        content = loader.render_to_string("errors/plain.html", context)
    return HttpResponse(content, status=status)


def bad_request(request, exception=None):
    return error_page(request, 400)


def permission_denied(request, exception=None):
    return error_page(request, 403)


def page_not_found(request, exception=None):
    return error_page(request, 404)


def server_error(request):
    return error_page(request, 500)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: the reason (for developers) goes to the log, not to the reader."""
    log.warning("form refused (CSRF): %s", reason, extra={"status_code": 403, "request": request})
    return error_page(request, 403, CSRF_PAGE)


class DebugErrorPagesMiddleware:
    """With DEBUG on, show the reader's error pages instead of Django's technical ones (unless
    TOKI_DEBUG_ERROR_PAGES is set). Placed after CommonMiddleware (a missing slash still redirects) and
    AuthenticationMiddleware (staff get their start page). Not used when DEBUG is off: Django then calls the
    handlers itself."""

    def __init__(self, get_response):
        if not settings.DEBUG or settings.TOKI_DEBUG_ERROR_PAGES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        try:
            resolve(request.path_info)
        except Resolver404:
            return page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request)
        if isinstance(exception, PermissionDenied):
            return None  # Django renders handler403 even with DEBUG on
        if isinstance(exception, SuspiciousOperation | BadRequest):
            return bad_request(request)
        log.error("Internal Server Error: %s", request.path, exc_info=exception,
                  extra={"status_code": 500, "request": request})
        return server_error(request)
