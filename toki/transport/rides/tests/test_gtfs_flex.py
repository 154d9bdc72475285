"""The GTFS-Flex export, checked against the spec's rules by gtfs_flex_check (and the check itself)."""

import csv
import io
import json
import zipfile

from django.urls import reverse

from toki.transport.rides.gtfs_flex import feed_files
from toki.transport.rides.gtfs_flex_check import check_feed
from toki.transport.rides.models import ServiceArea
from toki.transport.rides.tests.base import RidesTestCase


class GtfsFlexTests(RidesTestCase):
    def files(self):
        return feed_files(self.municipality, list(ServiceArea.objects.all()))

    def test_it_serves_a_feed_that_passes_the_check(self):
        response = self.client.get(reverse("rides:gtfs_flex"))
        self.assertEqual(response["Content-Type"], "application/zip")
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        files = {name: archive.read(name).decode() for name in archive.namelist()}
        self.assertEqual(check_feed(files), [])
        self.assertIn("booking_rules.txt", files)
        self.assertIn("location_groups.txt", files)

    def test_it_writes_the_same_day_rule_with_its_notice(self):
        rules = list(csv.DictReader(io.StringIO(self.files()["booking_rules.txt"])))
        self.assertEqual(rules[0]["booking_type"], "1")
        self.assertEqual(rules[0]["prior_notice_duration_min"], "30")
        self.assertIn("65歳以上200円", rules[0]["message"])

    def test_it_writes_pickup_windows_from_the_shifts(self):
        rows = list(csv.DictReader(io.StringIO(self.files()["stop_times.txt"])))
        windows = {(r["trip_id"], r["start_pickup_drop_off_window"], r["end_pickup_drop_off_window"]) for r in rows}
        self.assertIn(("ryotsu-0800-1700", "08:00:00", "17:00:00"), windows)
        self.assertTrue(all(r["pickup_type"] == "2" and r["location_group_id"] for r in rows))

    def test_a_day_with_a_pause_runs_as_a_service_of_its_own_without_the_pause(self):
        """運休 13:00–16:00 on a day the area runs, saved through the service page's form."""
        from datetime import timedelta

        from django.utils import timezone

        day = timezone.localdate() + timedelta(days=1)
        while str(day.isoweekday()) not in self.ryotsu.weekdays:
            day += timedelta(days=1)
        self.login(self.bob)
        response = self.client.post(reverse("rides:exceptions", args=["ryotsu"]), {
            "day": day.isoformat(), "runs": "0", "until": "13:00", "resumes": "16:00", "note": "台風通過"})
        self.assertRedirects(response, reverse("rides:service", args=["ryotsu"]))
        files = self.files()
        self.assertEqual(check_feed(files), [])
        date = day.strftime("%Y%m%d")
        dates = {(r["service_id"], r["date"], r["exception_type"])
                 for r in csv.DictReader(io.StringIO(files["calendar_dates.txt"]))}
        self.assertIn(("ryotsu", date, "2"), dates)  # the regular service is off that day…
        self.assertIn((f"ryotsu-{date}", date, "1"), dates)  # …and a service of that day alone runs
        trips = {r["trip_id"]: r["service_id"] for r in csv.DictReader(io.StringIO(files["trips.txt"]))}
        windows = {(r["start_pickup_drop_off_window"], r["end_pickup_drop_off_window"])
                   for r in csv.DictReader(io.StringIO(files["stop_times.txt"]))
                   if trips[r["trip_id"]] == f"ryotsu-{date}"}
        # The shifts 08:00–17:00 and 09:00–18:00, each cut around the pause.
        self.assertEqual(windows, {("08:00:00", "13:00:00"), ("09:00:00", "13:00:00"), ("16:00:00", "17:00:00"),
                                   ("16:00:00", "18:00:00")})

    def test_it_writes_a_door_to_door_area_as_a_zone(self):
        ServiceArea.objects.filter(code="aikawa").update(door_to_door=True)
        files = self.files()
        zones = json.loads(files["locations.geojson"])
        self.assertEqual([f["id"] for f in zones["features"]], ["aikawa-zone"])
        self.assertEqual(check_feed(files), [])

    def test_it_writes_a_prior_day_rule_with_its_cut_off(self):
        rule = self.ryotsu.booking_rule
        rule.kind = rule.Kind.PRIOR_DAY
        rule.save()
        files = self.files()
        row = next(r for r in csv.DictReader(io.StringIO(files["booking_rules.txt"]))
                   if r["booking_rule_id"] == "ryotsu-rule")
        self.assertEqual((row["prior_notice_last_day"], row["prior_notice_last_time"]), ("1", "17:00:00"))
        self.assertEqual(row["prior_notice_duration_min"], "")
        self.assertEqual(check_feed(files), [])


class CheckTests(RidesTestCase):
    def broken(self, name, old, new):
        files = feed_files(self.municipality, list(ServiceArea.objects.all()))
        self.assertIn(old, files[name])
        files[name] = files[name].replace(old, new, 1)
        return check_feed(files)

    def test_it_finds_a_notice_missing_for_a_same_day_rule(self):
        problems = self.broken("booking_rules.txt", ",1,30,", ",1,,")
        self.assertIn("booking_rules.txt row 1: prior_notice_duration_min is required for booking_type 1, "
                      "forbidden otherwise", problems)

    def test_it_finds_a_window_that_ends_before_it_starts(self):
        problems = self.broken("stop_times.txt", "08:00:00,17:00:00", "17:00:00,08:00:00")
        self.assertIn("stop_times.txt row 1: the window must start before it ends", problems)

    def test_it_finds_an_unknown_location_group(self):
        problems = self.broken("stop_times.txt", "ryotsu-points", "nowhere")
        self.assertIn("stop_times.txt row 5: location_group_id 'nowhere' is not defined", problems)

    def test_it_finds_a_forbidden_pickup_type_with_windows(self):
        problems = self.broken("stop_times.txt", ",2,2,", ",0,2,")
        self.assertIn("stop_times.txt row 1: pickup_type 0 is forbidden with windows", problems)

    def test_it_finds_a_missing_required_file(self):
        files = feed_files(self.municipality, list(ServiceArea.objects.all()))
        del files["agency.txt"]
        self.assertIn("agency.txt is required", check_feed(files))

    def test_it_finds_an_open_zone_ring(self):
        ServiceArea.objects.filter(code="aikawa").update(door_to_door=True)
        files = feed_files(self.municipality, list(ServiceArea.objects.all()))
        zones = json.loads(files["locations.geojson"])
        zones["features"][0]["geometry"]["coordinates"][0].pop()
        files["locations.geojson"] = json.dumps(zones)
        self.assertIn("locations.geojson feature 1: every ring must be closed (≥ 4 positions)", check_feed(files))
