"""The public departures pages (issue 20): every stop, and one stop's next departures with live status (delay from
the vehicle on the trip, suspension from a service alert), in the reader's language. Reads transit's selectors."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language

from toki.areas.selectors import default_municipality_or_404
from toki.transport.transit import selectors
from toki.transport.transit.models import Stop


def _feed(municipality):
    feed = selectors.feed_of(municipality)
    if feed is None:
        raise Http404
    return feed


def departures(request):
    municipality = default_municipality_or_404()
    feed = selectors.feed_of(municipality)
    language = get_language() or "ja"
    routes = selectors.stops_by_route(feed, language) if feed else []
    alerts = list(selectors.open_service_alerts(municipality)) if feed else []
    names = selectors.route_names(feed, language) if feed else {}
    return render(request, "portal/departures.html", {
        "feed": feed, "routes": routes, "alerts": [(alert, names.get(alert.route_gtfs_id, alert.route_gtfs_id))
                                                 for alert in alerts]})


def stop_departures(request, stop_id: str):
    municipality = default_municipality_or_404()
    feed = _feed(municipality)
    if len(stop_id) > 100 or not stop_id.isprintable():  # a GTFS id never is; PostgreSQL refuses NUL in a query
        raise Http404
    try:
        stop = selectors.get_public_stop(feed, stop_id)
    except Stop.DoesNotExist:
        raise Http404 from None
    language = get_language() or "ja"
    response = render(request, "portal/departures_stop.html", {
        "feed": feed, "stop": stop, "stop_name": selectors.stop_name(stop, language),
        "departures": selectors.next_departures(feed, stop, language=language)})
    response["Cache-Control"] = "max-age=30"
    return response
