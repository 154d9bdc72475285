"""The supporters' map: its data endpoint is scoped to the viewer's area and the plans they may see, places each
person it shows in the access log, carries the open shelters and the hazard layers; the hazard loader checks the
whole GeoJSON file and writes nothing when something is wrong."""

import json
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from toki.registry.models import AccessLog, HazardLayer
from toki.registry.tests.helpers import KEYS_V1, write_csv
from toki.registry.tests.test_plans import PlanTestCase
from toki.shelters.actions.openings import open_shelter
from toki.shelters.models import Shelter
from toki.test import BaseTestCase

SQUARE = [[138.40, 38.07], [138.42, 38.07], [138.42, 38.09], [138.40, 38.09], [138.40, 38.07]]


def geojson(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def polygon(ring=None, name="浸水想定区域 (デモ)") -> dict:
    return {"type": "Feature", "properties": {"name": name},
            "geometry": {"type": "Polygon", "coordinates": [ring or SQUARE]}}


def load(data: bytes, *extra, name="両津 洪水 (デモ)"):
    err = StringIO()
    call_command("registry_load_hazards", str(write_csv(data, "hazard.geojson")), "--name", name, "--hazard",
                 "flood", "--source", "made-up demo polygon", "--by", "alice", *extra, stdout=StringIO(), stderr=err)
    return err.getvalue()


class MapDataTests(PlanTestCase):
    def map_data(self, purpose="support_planning"):
        return self.client.get(reverse("registry:plan_map_data") + f"?purpose={purpose}")

    def test_a_minsei_gets_the_plans_of_his_district_only_each_placed_person_logged(self):
        self.make_plan(self.dave, "相川 一")
        self.make_plan(self.alice, "両津 一", author_kind="city", home_point="38.08, 138.44")
        self.add_supporter(self.alice, self.plan_of("両津 一"))
        self.login(self.dave)
        before = AccessLog.objects.count()
        data = self.map_data().json()
        self.assertEqual(["相川 一"], [p["name"] for p in data["plans"]])
        self.assertEqual([38.068, 138.251], data["plans"][0]["home"])
        self.assertEqual("長男宅 (佐和田)", data["plans"][0]["destination"]["name"])
        look = AccessLog.objects.order_by("id")[before:].get()
        self.assertEqual((self.people["相川 一"].pk, "list", "support_planning"),
                         (look.person_id, look.action, look.purpose))
        self.assertIn("plan.home_point", look.fields)

    def test_a_reading_class_gets_a_plan_on_the_map_only_when_it_is_complete(self):
        self.make_plan(self.alice, "両津 一", author_kind="city")
        plan = self.plan_of("両津 一")
        self.add_supporter(self.alice, plan, state="no_answer")
        self.login(self.bob)
        self.assertEqual([], self.map_data().json()["plans"])
        self.add_supporter(self.alice, plan, name="二人目")
        self.login(self.alice)
        supporter = plan.supporters.get(consents__state="no_answer")
        self.client.post(reverse("registry:plan_supporter", args=[supporter.pk]), {"remove": "1"})
        self.login(self.bob)
        self.assertEqual([plan.pk], [p["plan"] for p in self.map_data().json()["plans"]])

    def test_an_officer_gets_every_plan(self):
        self.make_plan(self.dave, "相川 一")
        self.make_plan(self.alice, "両津 一", author_kind="city")
        self.login(self.alice)
        self.assertEqual(2, len(self.map_data().json()["plans"]))

    def test_it_needs_a_purpose_and_logs_nothing_without_one(self):
        self.make_plan(self.dave, "相川 一")
        before = AccessLog.objects.count()
        response = self.map_data(purpose="curiosity")
        self.assertEqual(400, response.status_code)
        self.assertIn("purpose", response.json()["error"])
        self.assertEqual(before, AccessLog.objects.count())

    def test_it_carries_open_shelters_and_hazard_layers(self):
        from toki.hq.actions import open_incident

        shelter = Shelter.objects.create(common_id="t-map", municipality=self.municipality, district=self.ryotsu,
                                         name="両津小学校", lat=38.08, lon=138.44, is_designated_shelter=True,
                                         source="gsi")
        Shelter.objects.create(common_id="t-closed", municipality=self.municipality, district=self.ryotsu,
                               name="閉まっている公民館", lat=38.09, lon=138.45, is_designated_shelter=True,
                               source="gsi")
        incident = open_incident(acting_user=self.alice, municipality=self.municipality, name="大雨", kind="heavy_rain")
        open_shelter(acting_user=self.alice, shelter=shelter, incident=incident)
        load(geojson(polygon()), "--demo")
        self.login(self.dave)
        data = self.map_data().json()
        self.assertEqual(["両津小学校"], [s["name"] for s in data["open_shelters"]])
        self.assertEqual([("両津 洪水 (デモ)", True)], [(h["name"], h["demo"]) for h in data["hazards"]])
        self.assertEqual("Polygon", data["hazards"][0]["geojson"]["features"][0]["geometry"]["type"])

    def test_the_map_page_holds_no_person_and_points_at_its_scoped_data(self):
        self.make_plan(self.dave, "相川 一")
        before = AccessLog.objects.count()
        page = self.client.get(reverse("registry:plan_map") + "?purpose=drill")
        self.assertContains(page, "/registry/plans/map.json?purpose=drill")
        self.assertNotContains(page, "相川 一")
        self.assertEqual(before, AccessLog.objects.count())


@override_settings(**KEYS_V1)
class HazardLoadTests(BaseTestCase):
    def errors(self, data: bytes, **options) -> str:
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command("registry_load_hazards", str(write_csv(data, "hazard.geojson")), "--name",
                         options.get("name", "layer"), "--hazard", options.get("hazard", "flood"), "--source", "x",
                         "--by", "alice", stdout=StringIO(), stderr=err)
        self.assertFalse(HazardLayer.objects.exists())
        return err.getvalue()

    def test_it_loads_a_valid_file_and_replaces_a_layer_of_the_same_name(self):
        load(geojson(polygon(), polygon(name="二つ目")), "--demo")
        layer = HazardLayer.objects.get()
        self.assertEqual((2, True, "flood"), (len(layer.features), layer.is_demo, layer.hazard))
        load(geojson(polygon()))
        self.assertEqual(1, len(HazardLayer.objects.get().features))
        self.assertFalse(HazardLayer.objects.get().is_demo)

    def test_it_names_a_file_that_is_not_json(self):
        self.assertIn("hazard.geojson: line 1: not JSON", self.errors(b"{not json"))

    def test_it_names_a_document_that_is_not_a_feature_collection(self):
        self.assertIn("file: not a GeoJSON FeatureCollection", self.errors(b'{"type": "Feature"}'))
        self.assertIn("features: no features", self.errors(geojson()))

    def test_it_names_each_bad_feature_and_field(self):
        open_ring = [*SQUARE[:-1], [138.41, 38.08]]
        swapped = [[38.07, 138.40], [38.07, 138.42], [38.09, 138.42], [38.07, 138.40]]
        point = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [138.4, 38.0]}}
        errors = self.errors(geojson(polygon(), polygon(open_ring), point, polygon(name=5), {"type": "Thing"},
                                     polygon([[1, 2], [3, 4]]), polygon([[200, 38.0]] * 4)))
        self.assertIn("features[1].geometry.coordinates[0]: the ring is not closed", errors)
        self.assertIn("features[2].geometry: a Polygon or MultiPolygon, not Point", errors)
        self.assertIn("features[3].properties.name: text of at most 200 characters", errors)
        self.assertIn("features[4]: not a Feature", errors)
        self.assertIn("features[5].geometry.coordinates[0]: a ring has at least four positions", errors)
        self.assertIn("features[6].geometry.coordinates[0][0]: 200 is not", "".join(errors.split(", 38.0")))
        self.assertNotIn("features[0]", errors)
        self.assertIn("138.4 is not a longitude and latitude", self.errors(geojson(polygon(swapped))))

    def test_it_names_a_bad_hazard_kind(self):
        self.assertIn("--hazard: one of flood", self.errors(geojson(polygon()), hazard="meteor"))

    def test_only_a_registry_officer_loads_a_layer(self):
        with self.assertRaises(CommandError):
            call_command("registry_load_hazards", str(write_csv(geojson(polygon()), "h.geojson")), "--name", "x",
                         "--hazard", "flood", "--source", "x", "--by", "dave", stdout=StringIO())
        self.assertFalse(HazardLayer.objects.exists())
