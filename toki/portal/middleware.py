"""Counting public page views without tracking anyone (toki.portal.analytics, docs/portal-kpi.md)."""

from toki.portal import analytics


class PageViewMiddleware:
    """Counts successful GET HTML responses of public pages to anonymous human readers.

    Place it after AuthenticationMiddleware (it leaves logged-in staff out). A failure to count is logged and
    never costs the reader their page: the view is kept and written with the next one that succeeds, or, past a
    bound, dropped and counted as dropped (analytics.PendingViews)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        group = analytics.should_count(request, response)
        if group is not None:
            analytics.count_or_keep(request, response, group)
        return response
