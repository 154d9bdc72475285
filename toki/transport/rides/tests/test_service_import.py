"""The service file through `manage.py rides_import` (and rides_export): the demo's own file, field-by-field errors
with their places, all or nothing, idempotent upserts, dry runs, and removals that never strand a booked ride."""

import copy
import io
import json
import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.management import CommandError, call_command

from toki.accounts.models import AuditEvent
from toki.transport.rides import actions
from toki.transport.rides.demo import DEMO_FILE
from toki.transport.rides.forms import RideRequestForm
from toki.transport.rides.models import (
    Booking,
    BookingRule,
    Driver,
    FareCategory,
    MeetingPoint,
    ServiceArea,
    ServiceException,
    Shift,
    Vehicle,
    VehicleDay,
)
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local


def demo_document() -> dict:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


class ServiceFileTestCase(RidesTestCase):
    """The rides world, a folder for service files, and a ride booked through the phone desk's action."""

    def setUp(self):
        super().setUp()
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)

    def write(self, document, name="service.json") -> str:
        path = Path(self.folder.name) / name
        path.write_bytes(document if isinstance(document, bytes) else json.dumps(document).encode())
        return str(path)

    def run_import(self, document, *, dry_run=False) -> str:
        out = io.StringIO()
        call_command("rides_import", self.write(document), dry_run=dry_run, stdout=out)
        return out.getvalue()

    def import_error(self, document) -> str:
        with self.assertRaises(CommandError) as caught:
            self.run_import(document)
        return str(caught.exception)

    def book(self, origin="ryotsu-office", destination="ryotsu-hospital", hh=10, day=None, area=None) -> Booking:
        day = day or self.day
        area = area or self.ryotsu
        request = RideRequest(area=area, origin=Place.of(self.point(origin, area)),
                              destination=Place.of(self.point(destination, area)), earliest_pickup=local(day, hh),
                              latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel="phone", now=local(day, 7)).booking
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        return booking


def snapshot() -> tuple:
    """Every row the import writes, as values."""
    return tuple(list(model.objects.order_by("pk").values()) for model in (
        ServiceArea, BookingRule, FareCategory, MeetingPoint, Driver, Vehicle, Shift, ServiceException, VehicleDay))


class DemoFileTests(ServiceFileTestCase):
    def test_it_seeds_the_demo_through_the_importer(self):
        self.assertEqual([v.code for v in Vehicle.objects.filter(area=self.ryotsu)], ["ryotsu-1", "ryotsu-2",
                                                                                     "ryotsu-3"])
        self.assertEqual(Vehicle.objects.filter(area=self.aikawa).count(), 2)
        self.assertEqual(self.point("ryotsu-hospital").name, "両津病院")
        self.assertEqual(self.ryotsu.booking_rule.min_notice_minutes, 30)
        self.assertEqual(sorted(self.ryotsu.fares.values_list("price_yen", flat=True)), [0, 100, 200, 300])
        shift = Shift.objects.get(vehicle__code="ryotsu-2")
        self.assertEqual((shift.weekdays, f"{shift.start:%H:%M}", f"{shift.end:%H:%M}", shift.driver.code),
                         ("123456", "09:00", "18:00", "ryotsu-2-driver"))
        self.assertTrue(AuditEvent.objects.filter(action="rides.service_import",
                                                  changes__source="demo:sado_demo_service.json").exists())

    def test_importing_the_same_file_again_changes_nothing(self):
        before, audits = snapshot(), AuditEvent.objects.count()
        output = self.run_import(demo_document())
        self.assertIn("ryotsu, aikawa: no change", output)
        self.assertEqual(snapshot(), before)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_the_export_imports_as_no_change(self):
        exported = io.StringIO()
        call_command("rides_export", stdout=exported)
        self.assertIn("no change", self.run_import(json.loads(exported.getvalue())))
        self.assertEqual([a["code"] for a in json.loads(exported.getvalue())["areas"]], ["aikawa", "ryotsu"])

    def test_it_exports_one_area_to_a_file(self):
        target = Path(self.folder.name) / "aikawa.json"
        call_command("rides_export", "aikawa", output=str(target), stdout=io.StringIO())
        self.assertEqual([a["code"] for a in json.loads(target.read_text())["areas"]], ["aikawa"])
        with self.assertRaisesMessage(CommandError, "no area with the code nowhere"):
            call_command("rides_export", "nowhere", stdout=io.StringIO())


class FileErrorTests(ServiceFileTestCase):
    def assert_refused(self, document, *expected):
        before = snapshot()
        message = self.import_error(document)
        for line in expected:
            self.assertIn(line, message)
        self.assertEqual(snapshot(), before)  # nothing half-written
        return message

    def test_it_names_a_vehicle_without_seats(self):
        document = demo_document()
        document["areas"][1]["vehicles"][0]["seats"] = 0
        self.assert_refused(document, "areas[1].vehicles[0].seats: must be at least 1")

    def test_it_lists_every_problem_with_its_place(self):
        document = demo_document()
        ryotsu = document["areas"][0]
        ryotsu["speed_kmh"] = "fast"
        ryotsu["weekdays"] = [1, 8]
        ryotsu["booking_rule"]["kind"] = "whenever"
        ryotsu["fares"][1]["code"] = "general"
        ryotsu["meeting_points"][2]["lat"] = 38.2  # north of the polygon
        ryotsu["vehicles"][0]["seat"] = 9
        ryotsu["vehicles"][1]["shifts"][0]["end"] = "08:30"
        ryotsu["vehicles"][2]["shifts"][0]["driver"] = "nobody"
        ryotsu["exceptions"] = [{"day": "2026-13-01", "runs": False}]
        self.assert_refused(
            document,
            "areas[0].speed_kmh: must be a number",
            "areas[0].weekdays: must be a list of ISO weekdays, 1 = Monday … 7 = Sunday",
            "areas[0].booking_rule.kind: must be one of real_time, same_day, prior_day",
            "areas[0].fares[1].code: repeats the code of areas[0].fares[0]",
            "areas[0].meeting_points[2]: 38.2, 138.436341 lies outside the area's polygon (geometry)",
            "areas[0].vehicles[0].seat: unknown field (did you mean seats?)",
            "areas[0].vehicles[1].shifts[0].end: must be after the start (09:00)",
            "areas[0].vehicles[2].shifts[0].driver: no driver with that code in this area's drivers",
            "areas[0].exceptions[0].day: must be a date YYYY-MM-DD")

    def test_a_day_stops_at_a_time_only_when_it_runs(self):
        document = demo_document()
        document["areas"][0]["exceptions"] = [{"day": "2030-05-03", "runs": False, "until": "13:00"},
                                              {"day": "2030-05-04", "runs": True, "until": "1pm"}]
        self.assert_refused(
            document,
            "areas[0].exceptions[0].until: only a day that runs stops at a time (a day off has no hours)",
            "areas[0].exceptions[1].until: must be a time HH:MM between 00:00 and 23:59")

    def test_the_service_resumes_only_after_a_time_it_stops_at(self):
        document = demo_document()
        document["areas"][0]["exceptions"] = [{"day": "2030-05-03", "runs": True, "resumes": "16:00"},
                                              {"day": "2030-05-04", "runs": True, "until": "13:00", "resumes": "12:00"}]
        self.assert_refused(
            document,
            'areas[0].exceptions[0].resumes: the service resumes only after a 運休 from a time: give "until" too',
            'areas[0].exceptions[1].resumes: must be after "until" (13:00)')

    def test_it_refuses_overlapping_shifts_and_a_driver_in_two_vehicles_at_once(self):
        document = demo_document()
        document["areas"][0]["vehicles"][0]["shifts"].append({"weekdays": [6], "start": "16:00", "end": "19:00"})
        self.assert_refused(document, "areas[0].vehicles[0].shifts[1]: overlaps areas[0].vehicles[0].shifts[0] on Sat")
        document = demo_document()
        document["areas"][0]["vehicles"][1]["shifts"][0]["driver"] = "ryotsu-1-driver"
        self.assert_refused(document, "areas[0].vehicles[1].shifts[0].driver: ryotsu-1-driver already drives "
                                      "areas[0].vehicles[0].shifts[0] on Mon at that time")

    def test_it_refuses_an_unknown_district_a_reserved_code_and_a_repeated_area(self):
        document = demo_document()
        document["areas"][0]["district"] = "atlantis"
        document["areas"][1]["code"] = "desk"
        document["areas"].append(copy.deepcopy(document["areas"][0]))
        self.assert_refused(document, "areas[0].district: no district with that code",
                            "areas[1].code: is reserved (a page of the site has that address)",
                            "areas[2].code: repeats the code of areas[0]")

    def test_it_refuses_a_polygon_that_is_not_closed_and_too_few_meeting_points(self):
        document = demo_document()
        document["areas"][1]["geometry"]["coordinates"][0].pop()
        document["areas"][0]["meeting_points"] = document["areas"][0]["meeting_points"][:1]
        self.assert_refused(document,
                            "areas[1].geometry: coordinates[0]: the ring is not closed (first and last positions "
                            "differ)", "areas[0].meeting_points: an area served at meeting points needs at least two")

    def test_it_refuses_what_is_not_a_service_file(self):
        self.assert_refused(b'{"areas": [', "service.json: the file was not imported:\nline 1 column 12: not JSON")
        self.assert_refused({"format": "gtfs", "areas": []}, 'format: must be "toki-rides-service"',
                            "version: must be 1", "areas: must list at least one area")
        self.assert_refused(b"\xff\xfe", "the file is not UTF-8 text")
        self.assert_refused(b"[" * 40 + b"]" * 40, "the JSON is nested deeper than 32 levels")

    def test_it_names_a_missing_file(self):
        with self.assertRaisesMessage(CommandError, "cannot read the file"):
            call_command("rides_import", str(Path(self.folder.name) / "missing.json"))


class ChangeTests(ServiceFileTestCase):
    def test_a_dry_run_shows_the_changes_and_writes_nothing(self):
        document = demo_document()
        document["areas"][0]["vehicles"][2]["seats"] = 6
        document["areas"][0]["exceptions"] = [{"day": "2030-01-01", "runs": False, "note": "元日"}]
        before, audits = snapshot(), AuditEvent.objects.count()
        output = self.run_import(document, dry_run=True)
        self.assertIn("ryotsu vehicle ryotsu-3: changed (seats 4 → 6)", output)
        self.assertIn("ryotsu calendar exception 2030-01-01: added", output)
        self.assertIn("dry run, nothing written (1 added, 1 changed, 0 taken out of service, 0 removed)", output)
        self.assertEqual((snapshot(), AuditEvent.objects.count()), (before, audits))

    def test_it_applies_a_changed_file_and_audits_each_change(self):
        document = demo_document()
        area = document["areas"][0]
        area["name"] = "両津・加茂地区"
        area["booking_rule"]["kind"] = "prior_day"
        area["fares"][0]["price_yen"] = 350
        area["meeting_points"].append({"code": "kamo", "name": "加茂歌代", "lat": 38.1, "lon": 138.44})
        area["drivers"].append({"code": "spare", "name": "予備 運転手"})
        area["vehicles"][2]["shifts"][0]["driver"] = "spare"
        output = self.run_import(document)
        self.assertIn("ryotsu, aikawa: 2 added, 4 changed", output)
        self.ryotsu.refresh_from_db()
        self.assertEqual(self.ryotsu.name, "両津・加茂地区")
        self.assertEqual(BookingRule.objects.get(area=self.ryotsu).kind, BookingRule.Kind.PRIOR_DAY)
        self.assertEqual(Shift.objects.get(vehicle__code="ryotsu-3").driver.code, "spare")
        audit = AuditEvent.objects.get(action="rides.fare_update")
        self.assertEqual(audit.changes["fields"], {"price_yen": [300, 350]})
        self.assertTrue(AuditEvent.objects.filter(action="rides.meeting_point_create",
                                                  object_id=str(self.point("kamo").pk)).exists())
        self.assertIn("no change", self.run_import(document))

    def test_it_creates_a_new_area(self):
        document = demo_document()
        area = document["areas"][1]
        area.update(code="aikawa-south", name="相川南部", exceptions=[{"day": "2030-05-03", "runs": True}])
        document["areas"] = [area]
        self.run_import(document)
        created = ServiceArea.objects.get(code="aikawa-south")
        self.assertEqual((created.district.code, created.points.count(), created.vehicles.count()), ("aikawa", 6, 2))
        self.assertTrue(created.exceptions.get().runs)

    def test_it_deletes_a_vehicle_and_a_point_nothing_ever_named(self):
        document = demo_document()
        document["areas"][0]["vehicles"].pop()  # ryotsu-3, never booked
        document["areas"][0]["meeting_points"].pop()  # ryotsu-fire
        output = self.run_import(document)
        self.assertIn("ryotsu vehicle ryotsu-3: removed", output)
        self.assertFalse(Vehicle.objects.filter(code="ryotsu-3").exists())
        self.assertFalse(MeetingPoint.objects.filter(code="ryotsu-fire").exists())

    def test_it_takes_a_vehicle_and_a_point_with_past_rides_out_of_service(self):
        past = actions.cancel_booking(acting_user=None, booking=self.book(origin="ryotsu-fire"))
        document = demo_document()
        vehicle = past.vehicle.code
        document["areas"][0]["vehicles"] = [v for v in document["areas"][0]["vehicles"] if v["code"] != vehicle]
        document["areas"][0]["meeting_points"] = [p for p in document["areas"][0]["meeting_points"]
                                                  if p["code"] != "ryotsu-fire"]
        output = self.run_import(document)
        self.assertIn(f"ryotsu vehicle {vehicle}: taken out of service (kept for its bookings)", output)
        self.assertFalse(Vehicle.objects.get(code=vehicle).active)
        point = self.point("ryotsu-fire")
        self.assertFalse(point.active)
        self.assertNotIn(point, RideRequestForm(area=self.ryotsu).fields["origin"].queryset)
        request = RideRequest(area=self.ryotsu, origin=Place.of(point), destination=Place.of(self.point("aiport")),
                              earliest_pickup=local(self.day, 12), latest_arrival=None)
        refused = actions.book_ride(acting_user=None, request=request, channel="phone", now=local(self.day, 7))
        self.assertIn("乗車の場所 両津消防署 は廃止されました", refused.booking.reason)
        self.assertIn("no change", self.run_import(document))
        # Listed again, the point comes back into service.
        self.assertIn("ryotsu meeting point ryotsu-fire: changed (active no → yes)",
                      self.run_import(demo_document()))


class StrandingTests(ServiceFileTestCase):
    def assert_stranded(self, document, booking, *reasons):
        before = snapshot()
        message = self.import_error(document)
        self.assertIn("nothing was changed", message)
        self.assertIn(f"booking #{booking.pk} ({booking.service_date.isoformat()}", message)
        for reason in reasons:
            self.assertIn(reason, message)
        self.assertEqual(snapshot(), before)

    def test_it_refuses_to_take_a_booked_vehicle_out_of_service(self):
        booking = self.book()
        document = demo_document()
        vehicle = next(v for v in document["areas"][0]["vehicles"] if v["code"] == booking.vehicle.code)
        vehicle["active"] = False
        self.assert_stranded(document, booking, f"{booking.vehicle.name} is taken out of service")

    def test_it_refuses_to_remove_a_booked_meeting_point_or_move_it(self):
        booking = self.book(destination="ryotsu-jhs")
        document = demo_document()
        points = document["areas"][0]["meeting_points"]
        document["areas"][0]["meeting_points"] = [p for p in points if p["code"] != "ryotsu-jhs"]
        self.assert_stranded(document, booking, "両津中学校 is taken out of service")
        document = demo_document()
        next(p for p in document["areas"][0]["meeting_points"] if p["code"] == "ryotsu-office")["lat"] = 38.0806
        self.assert_stranded(document, booking, "市役所両津支所 moves")

    def test_it_refuses_a_day_off_on_a_booked_day(self):
        booking = self.book()
        document = demo_document()
        document["areas"][0]["exceptions"] = [{"day": self.day.isoformat(), "runs": False, "note": "運休"}]
        self.assert_stranded(document, booking, f"the service does not run on {self.day.isoformat()}")
        document["areas"][0]["exceptions"][0]["day"] = (self.day + timedelta(days=1)).isoformat()
        self.run_import(document)  # another day: fine
        self.assertFalse(ServiceException.objects.get(area=self.ryotsu).runs)

    def test_it_refuses_a_shift_cut_short_under_a_booked_stop(self):
        booking = self.book(hh=16)
        document = demo_document()
        vehicle = next(v for v in document["areas"][0]["vehicles"] if v["code"] == booking.vehicle.code)
        vehicle["shifts"][0]["end"] = "15:00"
        self.assert_stranded(document, booking, f"{booking.vehicle.name} cannot be back at its depot by 15:00")

    def test_a_longer_shift_moves_the_booked_plans_with_it(self):
        booking = self.book(hh=16)
        plan = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)
        document = demo_document()
        vehicle = next(v for v in document["areas"][0]["vehicles"] if v["code"] == booking.vehicle.code)
        vehicle["shifts"][0].update(start="07:00", end="19:30")
        self.run_import(document)
        moved = VehicleDay.objects.get(pk=plan.pk)
        self.assertEqual((moved.start, moved.end, moved.version), (local(self.day, 7), local(self.day, 19, 30),
                                                                   plan.version + 1))
        self.assertEqual(moved.stops, plan.stops)

    def test_a_vehicle_out_of_service_loses_its_empty_plans(self):
        booking = self.book()
        idle = Vehicle.objects.filter(area=self.ryotsu).exclude(pk=booking.vehicle_id).first()
        self.assertTrue(VehicleDay.objects.filter(vehicle=idle, day=self.day).exists())
        document = demo_document()
        next(v for v in document["areas"][0]["vehicles"] if v["code"] == idle.code)["active"] = False
        self.run_import(document)
        self.assertFalse(VehicleDay.objects.filter(vehicle=idle).exists())
        self.assertTrue(VehicleDay.objects.filter(vehicle=booking.vehicle, day=self.day).exists())

    def test_it_refuses_fewer_seats_than_a_plan_carries(self):
        booking = self.book()
        Booking.objects.filter(pk=booking.pk).update(passengers=5)
        plan = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)
        plan.stops = [{**stop, "pax": 5} for stop in plan.stops]
        plan.save()
        document = demo_document()
        vehicle = next(v for v in document["areas"][0]["vehicles"] if v["code"] == booking.vehicle.code)
        vehicle["seats"] = 3
        self.assert_stranded(document, booking, "would carry more than its 3 seats")

    def test_it_refuses_a_slower_estimate_the_booked_plans_cannot_keep(self):
        booking = self.book(hh=10)
        document = demo_document()
        document["areas"][0]["speed_kmh"] = 5
        self.assert_stranded(document, booking, "no longer leaves time to get there")
        self.assertEqual(ServiceArea.objects.get(pk=self.ryotsu.pk).speed_kmh, 30.0)

    def test_it_refuses_to_remove_a_fare_saved_riders_have(self):
        senior = FareCategory.objects.get(area=self.ryotsu, code="senior")
        for name, phone in (("両津 花子", "0259-23-1111"), ("夷 一郎", "0259-23-2222")):
            actions.save_rider(acting_user=None, area=self.ryotsu, name=name, phone=phone, category=senior)
        document = demo_document()
        document["areas"][0]["fares"] = [f for f in document["areas"][0]["fares"] if f["code"] != "senior"]
        message = self.import_error(document)
        self.assertIn("fare senior is the category of 2 saved riders", message)

    def test_one_stranded_area_stops_the_whole_file(self):
        booking = self.book(origin="aikawa-office", destination="aikawa-jhs", area=self.aikawa)
        document = demo_document()
        document["areas"][0]["name"] = "両津"  # fine on its own
        document["areas"][1]["weekdays"] = [7]  # strands the 相川 ride
        self.assert_stranded(document, booking, "aikawa: ")
        self.assertEqual(ServiceArea.objects.get(pk=self.ryotsu.pk).name, "両津地区")
