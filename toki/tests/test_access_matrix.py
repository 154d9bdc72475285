"""The access matrix (issue 13, deliver 2): every URL of the URLconf, the API's included, has a declared rule in
`toki/tests/access_rules.py`, and is tried as the anonymous public, eve (no role) and the personas of the wrong
kind, district or shelter. A new view without a rule fails here; a rule that no longer matches what the view
does fails too. Never a 5xx, never a 200 for someone refused."""

import re

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLResolver, get_resolver

from toki.accounts.models import OrgUnit
from toki.demo.kpi import create_kpi_demo
from toki.hq.actions import chronology
from toki.hq.actions.instructions import give_instruction
from toki.hq.damage import actions as damage_actions
from toki.hq.damage.tests.support import bundled_doc
from toki.lifelines import actions as lifeline_actions
from toki.notices import actions as notice_actions
from toki.posts.actions import submit_post
from toki.shelters.actions.supplies import request_supplies
from toki.shelters.tests.world import ShelterWorldMixin, register_and_check_in
from toki.test import PERSONA_PASSWORD, BaseTestCase, wrong_place_personas
from toki.tests.access_rules import DEBUG_ONLY, DEVICE, LOGIN, PUBLIC, RULES, SIGNED, TOKEN

ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
VALUES = {"int": "1", "uuid": "00000000-0000-4000-8000-000000000001", "slug": "sites_roads", "path": "x"}
REFUSED = {400, 403, 404}


def routes(resolver=None, prefix=""):
    """Every route of the URLconf as written (`hq/incidents/<int:pk>/`), includes followed."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _rides_objects(municipality, acting_user):
    """The 両津 shared-ride area with a rider, a usual trip, a booking and a vehicle's span out of service a month
    ahead (no ride on it), made through the rides actions."""
    from datetime import timedelta

    from toki.transport.rides import actions as rides_actions
    from toki.transport.rides.actions_vehicle import take_out_for_span
    from toki.transport.rides.demo import seed_rides_demo
    from toki.transport.rides.models import Booking
    from toki.transport.rides.rules import Place, RideRequest
    from toki.transport.rides.tests.base import local, service_day

    ryotsu = seed_rides_demo(municipality)[0]
    rider = rides_actions.save_rider(acting_user=None, area=ryotsu, name="両津 太郎", phone="0259-23-0000")
    points = list(ryotsu.points.all()[:2])
    # 10:00 of the next service day, not "this time tomorrow": run in the evening, that fell outside every shift and
    # the booking was refused (no vehicle), which broke the matrix's setup after 17:45 JST.
    request = RideRequest(area=ryotsu, origin=Place.of(points[0]), destination=Place.of(points[1]),
                          earliest_pickup=local(service_day(), 10), latest_arrival=None)
    booking = rides_actions.book_ride(acting_user=None, request=request, channel="web", rider=rider).booking
    assert booking.status == Booking.Status.ACCEPTED, booking.reason
    trip = rides_actions.add_usual_trip(acting_user=None, rider=rider, label="通院", origin=points[0],
                                        destination=points[1])
    later = service_day() + timedelta(days=30)
    span = take_out_for_span(acting_user=acting_user, area=ryotsu, vehicle=booking.vehicle, first_day=later,
                             last_day=later + timedelta(days=1), note="車検").span
    return rider, trip, booking, span


class AccessMatrixTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()  # an incident, carol's shelter open, another shelter
        personas = wrong_place_personas(cls.municipality, cls.other_shelter)
        cls.frank, cls.grace = personas["frank"], personas["grace"]
        cls.create_objects()

    @classmethod
    def create_objects(cls):
        """One object behind every kind of id in the URLconf, each made through its action."""
        ryotsu = cls.districts["ryotsu"]
        damage_actions.load_definition(acting_user=None, doc=bundled_doc(), activate=True)
        report = damage_actions.file_report(acting_user=cls.bob, incident=cls.incident, category="roads",
                                            counts={"sites_roads": 1}, district=ryotsu)
        issued = damage_actions.issue_report(acting_user=cls.alice, incident=cls.incident)
        entry = chronology.write_entry(acting_user=cls.alice, incident=cls.incident, content="記録")
        instruction = give_instruction(acting_user=cls.alice, incident=cls.incident, title="確認",
                                       to_org_unit=OrgUnit.objects.get(name="両津支所"))
        notice = notice_actions.create_notice(acting_user=cls.alice, municipality=cls.municipality, category="life",
                                              versions={"ja": ("お知らせ", "本文")})
        notice_actions.publish_notice(acting_user=cls.alice, notice=notice)
        post = submit_post(acting_user=None, municipality=cls.municipality, category="flooding", text="道路冠水",
                           device_hash="access-matrix", address_key="access-matrix")
        lifeline = lifeline_actions.save_lifeline(acting_user=cls.alice, municipality=cls.municipality,
                                                  code="ferry-test", kind="ferry", name="両津航路")
        create_kpi_demo(PERSONA_PASSWORD)
        household = register_and_check_in(cls.carol, cls.opening)
        supplies = request_supplies(acting_user=cls.carol, opening=cls.opening, items=[("水", 10, "箱")])
        rider, trip, booking, span = _rides_objects(cls.municipality, cls.alice)
        cls.values = {  # (route prefix, argument name) → value; the longest matching prefix wins
            ("hq/incidents/", "pk"): cls.incident.pk, ("hq/incidents/", "entry_pk"): entry.pk,
            ("hq/incidents/", "part"): "summary", ("hq/instructions/", "pk"): instruction.pk,
            ("hq/instructions/", "step"): "acknowledge", ("hq/damage/incidents/", "incident_pk"): cls.incident.pk,
            ("hq/damage/", "number"): issued.number, ("hq/damage/", "item"): "sites_roads",
            ("hq/damage/reports/", "pk"): report.pk, ("notices/", "pk"): notice.pk,
            ("lifelines/", "pk"): lifeline.pk, ("posts/", "pk"): post.pk,
            ("shelter-ops/openings/", "pk"): cls.opening.pk,
            ("shelter-ops/", "household_id"): household["household_id"],
            ("shelter-ops/supplies/", "request_id"): supplies.pk,
            ("shelter-ops/shelters/", "shelter_id"): cls.shelter.pk,
            ("api/v1/", "incident_id"): cls.incident.pk, ("api/v1/", "instruction_id"): instruction.pk,
            ("kpi/", "code"): "mutual-aid-platform", ("kpi/", "year"): 2026, ("kpi/goals/", "number"): 1,
            ("api/v1/", "report_id"): report.pk, ("api/v1/", "opening_id"): cls.opening.pk,
            ("rides/", "area_code"): "ryotsu", ("rides/desk/<slug:area_code>/riders/", "pk"): rider.pk,
            ("rides/desk/<slug:area_code>/riders/", "trip_pk"): trip.pk,
            ("rides/desk/<slug:area_code>/bookings/", "pk"): booking.pk,
            ("rides/desk/<slug:area_code>/calls/", "pk"): booking.pk,
            ("rides/ops/<slug:area_code>/service/vehicles/", "vehicle_code"): booking.vehicle.code,
            ("rides/ops/<slug:area_code>/service/vehicles/<slug:vehicle_code>/spans/", "pk"): span.pk,
            ("rides/ops/<slug:area_code>/vehicles/", "vehicle_code"): booking.vehicle.code,
        }

    def url_of(self, route: str) -> tuple[str, bool]:
        """The URL with every argument filled, and whether each came from an object the test made."""
        made = True

        def value(match):
            nonlocal made
            converter, name = match.group(1) or "str", match.group(2)
            prefixes = [prefix for prefix, key in self.values if key == name and route.startswith(prefix)]
            if prefixes:
                return str(self.values[max(prefixes, key=len), name])
            made = False
            return VALUES.get(converter, "1")

        return "/" + ARGUMENT.sub(value, route), made

    def answer(self, url: str, user=None) -> tuple[str, int, str]:
        """(method, status, redirect target): GET, or POST with no data where the view takes only POST."""
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        response, method = self.client.get(url), "GET"
        if response.status_code == 405:
            response, method = self.client.post(url, {}), "POST"
        return method, response.status_code, response.get("Location", "")

    def assert_sent_to_login(self, url):
        """Anonymous visitors: a page sends them to log in, the API answers 401; a few JSON feeds answer 404."""
        method, status, location = self.answer(url)
        if status == 404 and url.endswith(".json"):
            return
        if url.startswith("/api/") or status == 401:
            self.assertEqual(status, 401, f"{method} {url} as anonymous")
        else:
            self.assertEqual(status, 302, f"{method} {url} as anonymous")
            self.assertTrue(location.startswith(resolve_url(settings.LOGIN_URL)), f"{method} {url} as anonymous")

    def test_it_declares_a_rule_for_every_url(self):
        found = set(routes())
        self.assertEqual(sorted(found - RULES.keys()), [], "add these to toki/tests/access_rules.py")
        stale = {route for route in RULES.keys() - found if RULES[route] != DEBUG_ONLY}
        self.assertEqual(sorted(stale), [], "these rules name URLs that no longer exist")

    def test_it_answers_every_url_as_its_rule_declares(self):
        personas = {"eve": self.eve, "bob": self.bob, "carol": self.carol, "dave": self.dave, "frank": self.frank,
                    "grace": self.grace}
        for route in sorted(set(routes())):
            rule, (url, made) = RULES.get(route), self.url_of(route)
            with self.subTest(route=route, rule=rule):
                if rule is None or rule == DEBUG_ONLY:
                    continue
                if rule == PUBLIC:
                    self.assertLess(self.answer(url)[1], 500)
                elif rule == LOGIN:
                    self.assert_sent_to_login(url)
                    self.assertLess(self.answer(url, self.eve)[1], 500)
                elif rule == TOKEN:
                    self.assertEqual(self.answer(url)[1], 404)
                elif rule == SIGNED:
                    self.assertIn(self.answer(url)[1], {400, 503})  # unsigned; 503 when no channel is configured
                elif rule == DEVICE:
                    self.assertEqual(self.answer(url)[1], 401)
                    self.assertEqual(self.answer(url, self.eve)[1], 401)
                else:
                    self.assert_sent_to_login(url)
                    for name in rule:
                        method, status, _location = self.answer(url, personas[name])
                        self.assertIn(status, REFUSED, f"{method} {url} as {name}")
                    if made:
                        # The control: HQ reaches the same URL (a POST-only view answers its GET with 405), so
                        # the refusals above were about the persona, not about an id that does not exist.
                        self.client.force_login(self.alice)
                        status = self.client.get(url).status_code
                        self.assertTrue(status < 400 or status == 405, f"GET {url} as alice: {status}")
