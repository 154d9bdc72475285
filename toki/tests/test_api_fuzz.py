"""The bounded schemathesis run against /api/v1/ (issue 13, deliver 2): for every operation of the OpenAPI
schema, data that fits the schema and data that does not, sent as the anonymous public and as an HQ admin
(alice, who may call every staff endpoint). It fails on any 5xx, and on any answer the schema does not
document (status code, content type, body): the schema must say what the API really returns (finding 14).

It runs inside Django's test runner, so CI runs it on SQLite and on PostgreSQL: requests go through the real
WSGI application (middleware, URLconf, ninja) in this process and this test's database transaction. Bounded:
`EXAMPLES` cases per operation, mode and persona, derandomised (the same cases every run), no deadline.
"""

import secrets

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from toki.shelters.tests.world import ShelterWorldMixin
from toki.test import BaseTestCase

EXAMPLES = 12
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class ApiFuzzTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()  # an incident and an open shelter, so list and detail endpoints have rows

    def setUp(self):
        super().setUp()
        # The test client does this too: a request must not close the connection that holds the test transaction.
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)
        self.app = WSGIHandler()
        self.schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", self.app)

    def staff_cookies(self) -> tuple[dict, dict]:
        self.client.force_login(self.alice)
        token = secrets.token_hex(16)  # a CSRF secret: the same value in the cookie and the header
        return {"sessionid": self.client.cookies["sessionid"].value, "csrftoken": token}, {"X-CSRFToken": token}

    def run_operations(self, cookies=None, headers=None) -> dict[str, set[int]]:
        """Every operation in both modes; returns the status codes seen by operation."""
        operations = [result.ok() for result in self.schema.get_all_operations()]
        self.assertGreater(len(operations), 20)
        seen: dict[str, set[int]] = {}
        for operation in operations:
            has_input = any((operation.path_parameters, operation.query, operation.body))
            for mode in MODES if has_input else MODES[:1]:  # nothing to negate without an input
                with self.subTest(operation=operation.label, mode=mode.value):
                    self.fuzz(operation, mode, cookies, headers, seen.setdefault(operation.label, set()))
        return seen

    def fuzz(self, operation, mode, cookies, headers, statuses: set):
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            # A savepoint per request: on PostgreSQL a failed statement would otherwise poison the test's
            # transaction, and every later request would fail for that one.
            with transaction.atomic():
                try:
                    response = case.call_and_validate(app=self.app, cookies=cookies, headers=headers,
                                                      checks=CHECKS)
                except FailureGroup as failures:  # not picklable: the parallel runner could not report it
                    raise AssertionError(str(failures)) from None
            statuses.add(response.status_code)

        check()

    def test_it_answers_the_public_without_5xx_and_as_documented(self):
        seen = self.run_operations()
        self.assertEqual(seen["GET /api/v1/hq/incidents"], {401})  # the staff endpoints did refuse
        self.assertIn(200, seen["GET /api/v1/shelters/openings"])

    def test_it_answers_staff_without_5xx_and_as_documented(self):
        cookies, headers = self.staff_cookies()
        seen = self.run_operations(cookies, headers)
        self.assertNotIn(401, set().union(*seen.values()))  # really logged in: the staff endpoints were reached
        self.assertIn(200, seen["GET /api/v1/hq/incidents"])
