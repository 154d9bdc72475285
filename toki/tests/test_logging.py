"""The start-up log of `make run` printed every task the worker ran twice (issue 14 item 12): Django's default
"django" console handler and the root's. Each record of Toki's and Django's loggers must reach one handler."""

import logging

from django.test import SimpleTestCase, override_settings


def handlers_reached(name: str) -> list[logging.Handler]:
    """The handlers a record of logger `name` is passed to, following propagation as logging.Logger.callHandlers
    does (their filters aside)."""
    reached = []
    logger: logging.Logger | None = logging.getLogger(name)
    while logger:
        reached += logger.handlers
        logger = logger.parent if logger.propagate else None
    return reached


class LoggingTests(SimpleTestCase):
    @override_settings(DEBUG=True)  # `make run`: the debug-only default handler would be active
    def test_every_record_is_printed_once(self):
        for name in ("django.tasks", "django.request", "django_tasks_db", "toki.portal.tasks", "toki.events"):
            with self.subTest(logger=name):
                self.assertEqual(len(handlers_reached(name)), 1)
