"""Counting public page views without tracking anyone (toki.portal.analytics, docs/portal-kpi.md)."""

import logging

from django.db import DatabaseError

from toki.portal import analytics

log = logging.getLogger(__name__)


class PageViewMiddleware:
    """Counts successful GET HTML responses of public pages to anonymous human readers.

    Place it after AuthenticationMiddleware (it leaves logged-in staff out). A failure to count is logged and
    never costs the reader their page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        group = analytics.should_count(request, response)
        if group is not None:
            try:
                analytics.count_page_view(request, response, group)
            except DatabaseError:
                log.warning("page view not counted", exc_info=True)
        return response
