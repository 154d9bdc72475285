from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from toki.areas.selectors import default_municipality
from toki.transport.transit.exporting import export_zip
from toki.transport.transit.realtime import FEEDS
from toki.transport.transit.selectors import feed_of
from toki.transport.transit.validation import check_realtime, errors_of, validate_static


class Command(BaseCommand):
    help = "Validate the exported GTFS-JP feed (gtfs-validator) and the three GTFS-RT feeds (docs/transit.md)."

    def handle(self, *args, **options):
        municipality = default_municipality()
        feed = feed_of(municipality) if municipality else None
        if feed is None:
            raise CommandError("no feed has been imported")
        now = timezone.now()
        notices = validate_static(export_zip(feed), on=timezone.localdate(now))
        for notice in notices:
            self.stdout.write(f"{notice['severity']:8} {notice['code']} ×{notice['count']}")
        trip_ids = set(feed.trips.values_list("gtfs_id", flat=True))
        route_ids = set(feed.routes.values_list("gtfs_id", flat=True))
        problems = []
        for kind, build in FEEDS.items():
            found = check_realtime(build(municipality, now), kind=kind, trip_ids=trip_ids, route_ids=route_ids,
                                   now=now)
            problems += [f"{kind}: {p}" for p in found]
        for problem in problems:
            self.stdout.write(f"ERROR    {problem}")
        if errors_of(notices) or problems:
            raise CommandError("the feeds have errors")
        self.stdout.write(self.style.SUCCESS("no errors"))
