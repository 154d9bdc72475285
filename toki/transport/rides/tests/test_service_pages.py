"""The service settings pages (運行設定) through the test client: vehicles in and out of service, shifts, 運休日 and
臨時運行日, the booking rule and fares, each validated field by field, audited, and refused when it would strand a
booked ride (named); the file download and the import with its review step; and who may use them."""

import json
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.demo.hq import create_hq_demo_users
from toki.test import PERSONA_PASSWORD
from toki.transport.rides.models import BookingRule, FareCategory, ServiceArea, ServiceException, Shift, Vehicle
from toki.transport.rides.tests.test_service_import import ServiceFileTestCase, demo_document


def shift_data(rows: list[dict], initial: int) -> dict:
    data = {"shifts-TOTAL_FORMS": str(len(rows)), "shifts-INITIAL_FORMS": str(initial),
            "shifts-MIN_NUM_FORMS": "0", "shifts-MAX_NUM_FORMS": "10"}
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"shifts-{i}-{name}"] = value
    return data


class ServicePagesTests(ServiceFileTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.frank = create_hq_demo_users(cls.municipality, PERSONA_PASSWORD)["frank"]  # 相川支所

    def url(self, name, *args, area="ryotsu"):
        return reverse(f"rides:{name}", args=[area, *args])

    # --- who may use them ---------------------------------------------------------------------------------------

    def test_it_shows_the_area_operator_the_service(self):
        self.login(self.bob)
        response = self.client.get(self.url("service"))
        self.assertContains(response, "両津1号車")
        self.assertContains(response, reverse("rides:shifts", args=["ryotsu", "ryotsu-1"]))

    def test_it_refuses_another_areas_operator_an_outsider_and_the_anonymous(self):
        for user in (self.frank, self.eve):
            self.login(user)
            for url in (self.url("service"), self.url("booking_rule"), self.url("fares"), self.url("service_file"),
                        self.url("shifts", "ryotsu-1")):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
            response = self.client.post(self.url("vehicle_status", "ryotsu-1"), {"active": "0"})
            self.assertEqual(response.status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url("service")).status_code, 302)
        self.assertEqual(self.client.post(self.url("exceptions"), {"day": "2030-01-01", "runs": "0"}).status_code,
                         302)
        self.assertTrue(Vehicle.objects.get(code="ryotsu-1").active)
        self.assertFalse(ServiceException.objects.exists())

    def test_the_service_page_does_not_grow_with_the_vehicles(self):
        self.login(self.bob)
        url = self.url("service")
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        document = demo_document()
        vehicles = document["areas"][0]["vehicles"]
        for i in range(4):
            document["areas"][0]["drivers"].append({"code": f"spare-{i}-driver", "name": f"予備{i} 運転手"})
            vehicles.append({**vehicles[0], "code": f"spare-{i}", "name": f"予備{i}号車", "shifts": [
                {"weekdays": [1, 2], "start": "08:00", "end": "12:00", "driver": None},
                {"weekdays": [3], "start": "13:00", "end": "15:00", "driver": f"spare-{i}-driver"}]})
        document["areas"][0]["exceptions"] = [{"day": f"2030-01-0{d}", "runs": False} for d in range(1, 6)]
        self.run_import(document)
        with CaptureQueriesContext(connection) as many:
            self.assertContains(self.client.get(url), "予備3号車")
        self.assertEqual(len(many), len(few))

    # --- vehicles ------------------------------------------------------------------------------------------------

    def test_it_takes_a_vehicle_out_of_service_and_back(self):
        self.login(self.bob)
        response = self.client.post(self.url("vehicle_status", "ryotsu-3"), {"active": "0"})
        self.assertRedirects(response, self.url("service"))
        self.assertFalse(Vehicle.objects.get(code="ryotsu-3").active)
        audit = AuditEvent.objects.get(action="rides.vehicle_update")
        self.assertEqual((audit.actor, audit.changes["fields"]), (self.bob, {"active": [True, False]}))
        self.assertTrue(AuditEvent.objects.filter(action="rides.service_edit", actor=self.bob).exists())
        self.client.post(self.url("vehicle_status", "ryotsu-3"), {"active": "1"})
        self.assertTrue(Vehicle.objects.get(code="ryotsu-3").active)

    def test_it_refuses_to_take_a_booked_vehicle_out_of_service_and_names_the_ride(self):
        booking = self.book()
        self.login(self.bob)
        response = self.client.post(self.url("vehicle_status", booking.vehicle.code), {"active": "0"})
        self.assertContains(response, f"予約 #{booking.pk}", status_code=409)
        self.assertContains(response, "市役所両津支所 → 両津病院", status_code=409)
        self.assertTrue(Vehicle.objects.get(pk=booking.vehicle_id).active)

    # --- shifts -------------------------------------------------------------------------------------------------

    def test_it_saves_a_vehicles_shifts(self):
        self.login(self.bob)
        rows = [{"weekdays": ["1", "2", "3"], "start": "07:30", "end": "12:00", "driver": "ryotsu-3-driver"},
                {"weekdays": ["4", "5"], "start": "13:00", "end": "18:00", "driver": ""}]
        response = self.client.post(self.url("shifts", "ryotsu-3"), shift_data(rows, 1))
        self.assertRedirects(response, self.url("service"))
        saved = [(s.weekdays, f"{s.start:%H:%M}", f"{s.end:%H:%M}", s.driver_id is not None)
                 for s in Shift.objects.filter(vehicle__code="ryotsu-3").order_by("start")]
        self.assertEqual(saved, [("123", "07:30", "12:00", True), ("45", "13:00", "18:00", False)])
        self.assertTrue(AuditEvent.objects.filter(action="rides.shifts_update", actor=self.bob).exists())

    def test_it_names_the_field_of_a_shift_in_error(self):
        self.login(self.bob)
        rows = [{"weekdays": ["1"], "start": "17:00", "end": "08:00", "driver": ""},
                {"weekdays": [], "start": "25:00", "end": "", "driver": ""}]
        response = self.client.post(self.url("shifts", "ryotsu-3"), shift_data(rows, 1))
        self.assertEqual(response.status_code, 200)
        second = response.context["formset"].forms[1]
        self.assertEqual(set(second.errors), {"weekdays", "start", "end"})
        rows.pop()
        response = self.client.post(self.url("shifts", "ryotsu-3"), shift_data(rows, 1))
        self.assertEqual(response.context["formset"].forms[0].errors["end"], ["開始（17:00）より後にしてください"])
        self.assertEqual(Shift.objects.get(vehicle__code="ryotsu-3").start.hour, 8)

    def test_it_refuses_a_shift_cut_short_under_a_booked_stop(self):
        booking = self.book(hh=16)
        self.login(self.bob)
        shift = Shift.objects.get(vehicle=booking.vehicle)
        rows = [{"weekdays": list(shift.weekdays), "start": f"{shift.start:%H:%M}", "end": "12:00", "driver": ""}]
        response = self.client.post(self.url("shifts", booking.vehicle.code), shift_data(rows, 1))
        self.assertContains(response, f"予約 #{booking.pk}", status_code=409)
        self.assertEqual(Shift.objects.get(pk=shift.pk).end.hour, shift.end.hour)

    # --- the calendar -------------------------------------------------------------------------------------------

    def test_it_adds_and_removes_a_day_off(self):
        self.login(self.bob)
        day = self.day + timedelta(days=2)
        response = self.client.post(self.url("exceptions"), {"day": day.isoformat(), "runs": "0", "note": "点検"})
        self.assertRedirects(response, self.url("service"))
        exception = ServiceException.objects.get(area=self.ryotsu)
        self.assertEqual((exception.day, exception.runs, exception.note), (day, False, "点検"))
        self.assertTrue(AuditEvent.objects.filter(action="rides.exception_create", actor=self.bob).exists())
        self.assertContains(self.client.get(self.url("service")), "運休日")
        self.client.post(self.url("exceptions"), {"remove": day.isoformat()})
        self.assertFalse(ServiceException.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(action="rides.exception_delete", actor=self.bob).exists())

    def test_it_refuses_a_day_off_on_a_booked_day_and_names_the_ride(self):
        booking = self.book()
        self.login(self.bob)
        response = self.client.post(self.url("exceptions"), {"day": self.day.isoformat(), "runs": "0"})
        self.assertContains(response, f"予約 #{booking.pk}", status_code=409)
        self.assertContains(response, f"{self.day.isoformat()}は運行しません", status_code=409)
        self.assertFalse(ServiceException.objects.exists())

    def test_it_names_a_bad_day(self):
        self.login(self.bob)
        response = self.client.post(self.url("exceptions"), {"day": "2030-02-30", "runs": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("day", response.context["exception_form"].errors)

    # --- the booking rule and fares -----------------------------------------------------------------------------

    def rule_data(self, **changes) -> dict:
        data = {"kind": "prior_day", "min_notice_minutes": "30", "max_notice_minutes": "", "prior_day_cutoff": "16:00",
                "max_days_ahead": "14", "cancel_minutes_before": "60", "no_show_limit": "3",
                "no_show_period_days": "90", "message": "前日16時までにご予約ください。"}
        data.update(changes)
        return data

    def test_it_saves_the_booking_rule(self):
        self.login(self.bob)
        self.assertRedirects(self.client.post(self.url("booking_rule"), self.rule_data()), self.url("service"))
        rule = BookingRule.objects.get(area=self.ryotsu)
        self.assertEqual((rule.kind, rule.prior_day_cutoff.hour, rule.max_days_ahead), (2, 16, 14))
        audit = AuditEvent.objects.get(action="rides.booking_rule_update")
        self.assertEqual(audit.changes["fields"]["max_days_ahead"], [7, 14])

    def test_it_names_the_rule_fields_in_error(self):
        self.login(self.bob)
        response = self.client.post(self.url("booking_rule"),
                                    self.rule_data(max_notice_minutes="10", max_days_ahead="400"))
        form = response.context["form"]
        self.assertEqual(form.errors["max_notice_minutes"], ["min_notice_minutes（30）より大きくしてください"])
        self.assertEqual(form.errors["max_days_ahead"], ["365以下にしてください"])
        self.assertEqual(BookingRule.objects.get(area=self.ryotsu).max_days_ahead, 7)

    def fare_data(self, rows: list[dict]) -> dict:
        data = {"fares-TOTAL_FORMS": str(len(rows)), "fares-INITIAL_FORMS": "4", "fares-MIN_NUM_FORMS": "0",
                "fares-MAX_NUM_FORMS": "20"}
        for i, row in enumerate(rows):
            for name, value in row.items():
                data[f"fares-{i}-{name}"] = value
        return data

    def current_fares(self) -> list[dict]:
        return [{"code": f.code, "name": f.name, "price_yen": str(f.price_yen)}
                for f in FareCategory.objects.filter(area=self.ryotsu).order_by("code")]

    def test_it_changes_adds_and_removes_fares(self):
        self.login(self.bob)
        rows = self.current_fares()
        general = next(r for r in rows if r["code"] == "general")
        general["price_yen"] = "400"
        next(r for r in rows if r["code"] == "child")["DELETE"] = "on"
        rows.append({"code": "student", "name": "高校生", "price_yen": "150"})
        response = self.client.post(self.url("fares"), self.fare_data(rows))
        self.assertRedirects(response, self.url("service"))
        self.assertEqual(dict(FareCategory.objects.filter(area=self.ryotsu).values_list("code", "price_yen")),
                         {"general": 400, "senior": 200, "disability": 100, "student": 150})
        self.assertEqual(set(AuditEvent.objects.filter(action__startswith="rides.fare_").values_list("action",
                                                                                                   flat=True)),
                         {"rides.fare_update", "rides.fare_delete", "rides.fare_create"})

    def test_it_names_a_repeated_fare_code(self):
        self.login(self.bob)
        rows = [*self.current_fares(), {"code": "general", "name": "一般2", "price_yen": "500"}]
        response = self.client.post(self.url("fares"), self.fare_data(rows))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["formset"].forms[4].errors["code"], ["areas[0].fares[2] と同じコードです"])

    # --- the file ------------------------------------------------------------------------------------------------

    def test_it_downloads_the_areas_file(self):
        self.login(self.bob)
        response = self.client.get(self.url("service_file"))
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="rides-service-ryotsu.json"')
        document = json.loads(response.content)
        self.assertEqual([a["code"] for a in document["areas"]], ["ryotsu"])

    def upload(self, document, name="service.json"):
        data = json.dumps(document, ensure_ascii=False).encode()
        return self.client.post(reverse("rides:service_import"), {"file": SimpleUploadedFile(name, data)})

    def test_it_reviews_then_applies_an_uploaded_file(self):
        document = demo_document()
        document["areas"] = [document["areas"][0]]
        document["areas"][0]["vehicles"][2]["seats"] = 6
        self.login(self.bob)
        review = self.upload(document)
        self.assertContains(review, "ryotsu 車両 ryotsu-3: 変更 (seats 4 → 6)")
        self.assertEqual(Vehicle.objects.get(code="ryotsu-3").seats, 4)  # nothing written yet
        confirm = review.context["confirm"]
        applied = self.client.post(reverse("rides:service_import"), {
            "document": confirm.initial["document"], "reviewed": confirm.initial["reviewed"],
            "name": "service.json"})
        self.assertContains(applied, "取り込みました")
        self.assertEqual(Vehicle.objects.get(code="ryotsu-3").seats, 6)
        audit = AuditEvent.objects.get(action="rides.service_import", actor=self.bob)
        self.assertEqual((audit.actor, audit.changes["source"]), (self.bob, "page:service.json"))

    def test_it_refuses_to_apply_what_changed_since_the_review(self):
        document = demo_document()
        document["areas"] = [document["areas"][0]]
        document["areas"][0]["vehicles"][2]["seats"] = 6
        self.login(self.bob)
        confirm = self.upload(document).context["confirm"]
        self.client.post(self.url("vehicle_status", "ryotsu-2"), {"active": "0"})  # meanwhile
        response = self.client.post(reverse("rides:service_import"), {
            "document": confirm.initial["document"], "reviewed": confirm.initial["reviewed"]})
        self.assertContains(response, "確認したあとで運行の設定が変わりました", status_code=409)
        self.assertEqual(Vehicle.objects.get(code="ryotsu-3").seats, 4)

    def test_it_shows_a_files_problems_with_their_places(self):
        document = demo_document()
        document["areas"][0]["vehicles"][0]["seats"] = 0
        self.login(self.bob)
        response = self.upload(document)
        self.assertContains(response, "areas[0].vehicles[0].seats: 1以上にしてください")
        self.assertNotIn("confirm", response.context)

    def test_a_branch_office_may_not_import_another_districts_area(self):
        self.login(self.bob)
        response = self.upload(demo_document())  # 両津 and 相川
        self.assertContains(response, "areas[1]: aikawa", status_code=409)
        self.assertNotIn("confirm", response.context)
        self.login(self.alice)
        self.assertIn("confirm", self.upload(self.changed_aikawa()).context)

    def changed_aikawa(self) -> dict:
        document = demo_document()
        document["areas"][1]["phone_number"] = "0259-74-0000"
        return document

    def test_it_refuses_the_import_page_to_outsiders(self):
        self.login(self.eve)
        self.assertEqual(self.client.get(reverse("rides:service_import")).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("rides:service_import")).status_code, 302)
        self.login(self.frank)
        response = self.upload(self.changed_aikawa())
        self.assertContains(response, "areas[0]: ryotsu", status_code=409)
        self.assertEqual(ServiceArea.objects.get(code="aikawa").phone_number, "0259-00-0000")
