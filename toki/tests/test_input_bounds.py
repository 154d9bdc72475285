"""Issue 13 finding 10: inputs the validation used to accept made 500s. Each now gets a 4xx naming the field."""

from django.test import override_settings

from toki.lib.bounded import MAX_JSON_DEPTH
from toki.linebot.webhook import signature_for
from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import BaseTestCase

TOO_BIG = str(2**63)
DEEP = "[" * 100_000 + "]" * 100_000


class InputBoundsTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()  # one open shelter, so the nearest-first search runs

    def assert_names(self, response, status: int, field: str):
        self.assertEqual(response.status_code, status, response.content)
        self.assertIn(field, [error["loc"][-1] for error in response.json()["detail"]])

    def test_it_refuses_an_infinite_or_undefined_latitude(self):
        for value in ("inf", "-inf", "nan", "1e400"):
            with self.subTest(value=value):
                self.assert_names(self.client.get(f"/api/v1/shelters/openings?lat={value}&lon=138.4"), 422, "lat")
        self.assert_names(self.client.get("/api/v1/shelters/openings?lat=38&lon=inf"), 422, "lon")

    def test_it_refuses_a_public_offset_beyond_any_page(self):
        for value in ("1e20", "100000000000000000000", TOO_BIG):
            with self.subTest(value=value):
                self.assert_names(self.client.get(f"/api/v1/notices?offset={value}"), 422, "offset")

    def test_it_refuses_a_staff_offset_and_an_id_past_64_bits(self):
        self.login(self.alice)
        self.assert_names(self.client.get(f"/api/v1/hq/incidents?offset={TOO_BIG}"), 422, "offset")
        self.assert_names(self.client.get(f"/api/v1/hq/incidents/{TOO_BIG}"), 422, "incident_id")
        self.assert_names(self.client.get(f"/api/v1/shelters/openings/{TOO_BIG}/counts"), 422, "opening_id")

    def test_it_refuses_a_deeply_nested_api_body_with_400(self):
        self.login(self.alice)
        response = self.client.post(f"/api/v1/hq/incidents/{self.incident.pk}/chronology", DEEP,
                                    content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"detail": f"body: the JSON is nested deeper than {MAX_JSON_DEPTH} levels"})

    @override_settings(LINE_CHANNEL_SECRET="bounds-test-secret")
    def test_it_refuses_a_deeply_nested_signed_webhook_with_400(self):
        for body in (DEEP, '{"destination": "U1", "events": [{"x": ' + "[" * 40 + "]" * 40 + "}]}"):
            with self.subTest(length=len(body)):
                response = self.client.post("/line/webhook", body, content_type="application/json",
                                            headers={"X-Line-Signature": signature_for(body.encode(),
                                                                                       "bounds-test-secret")})
                self.assertEqual(response.status_code, 400)
                self.assertIn(f"nested deeper than {MAX_JSON_DEPTH} levels", response.json()["error"])


def _unbounded_numbers(node, where: str, components: dict, seen: tuple = ()):
    """Where in an OpenAPI schema node an integer or number has no minimum or no maximum."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _unbounded_numbers(components[name], f"{where}→{name}", components, (*seen, name))
        return
    if node.get("type") in ("integer", "number") and not (
            {"minimum", "exclusiveMinimum"} & node.keys() and {"maximum", "exclusiveMaximum"} & node.keys()):
        yield where
    for name, child in node.get("properties", {}).items():
        yield from _unbounded_numbers(child, f"{where}.{name}", components, seen)
    for key in ("items", "additionalProperties"):
        yield from _unbounded_numbers(node.get(key), f"{where}[]", components, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for child in node.get(key, []):
            yield from _unbounded_numbers(child, where, components, seen)


class SchemaBoundsTests(BaseTestCase):
    """The permanent check for the class of finding 10: no API input is an unbounded number."""

    def test_it_bounds_every_number_the_api_takes(self):
        schema = self.client.get("/api/v1/openapi.json").json()
        components = schema["components"]["schemas"]
        found = []
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                for parameter in operation.get("parameters", []):
                    found += _unbounded_numbers(parameter["schema"], f"{method} {path} {parameter['name']}",
                                                components)
                for content in operation.get("requestBody", {}).get("content", {}).values():
                    found += _unbounded_numbers(content["schema"], f"{method} {path} body", components)
        self.assertEqual(found, [], "use the types of toki/lib/bounded.py (Id, Offset, Latitude, Quantity…)")
