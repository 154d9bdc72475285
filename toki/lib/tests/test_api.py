from django.test import TestCase


class ApiTests(TestCase):
    def test_it_answers_the_health_check(self):
        self.assertEqual(self.client.get("/api/v1/health").json(), {"status": "ok"})

    def test_it_publishes_an_openapi_schema(self):
        schema = self.client.get("/api/v1/openapi.json").json()
        self.assertEqual(schema["info"]["title"], "Toki API")
        self.assertIn("/api/v1/health", schema["paths"])

    def test_it_serves_the_api_docs_without_a_cdn(self):
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "cdn.jsdelivr.net")
