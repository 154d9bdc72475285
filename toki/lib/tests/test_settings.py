import os
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase

from toki.lib.env import EnvError, database_from_url, env_bool, env_choice, env_int, env_list

REPO = Path(__file__).resolve().parents[3]


def manage(*args, **env):
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=120
    )


class DeploySettingsTests(SimpleTestCase):
    def test_it_passes_check_deploy_with_production_settings(self):
        result = manage(
            "check", "--deploy", "--fail-level", "WARNING",
            TOKI_DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="bousai.example.jp",
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_it_refuses_to_start_in_production_without_a_secret_key(self):
        result = manage("check", TOKI_DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="bousai.example.jp")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set", result.stderr)

    def test_it_names_the_variable_of_a_bad_value(self):
        result = manage("check", TOKI_TASKS="celery")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("TOKI_TASKS", result.stderr)


class EnvHelperTests(SimpleTestCase):
    def test_it_reads_booleans_strictly(self):
        with mock.patch.dict(os.environ, {"X": "yes"}):
            self.assertTrue(env_bool("X"))
        with mock.patch.dict(os.environ, {"X": "maybe"}), self.assertRaisesMessage(EnvError, "X='maybe'"):
            env_bool("X")

    def test_it_reads_integers_lists_and_choices(self):
        with mock.patch.dict(os.environ, {"N": "12", "L": "a, b,,c", "C": "rq"}):
            self.assertEqual(env_int("N", 1), 12)
            self.assertEqual(env_list("L"), ["a", "b", "c"])
            self.assertEqual(env_choice("C", ("db", "rq"), "db"), "rq")
        with mock.patch.dict(os.environ, {"N": "twelve"}), self.assertRaises(EnvError):
            env_int("N", 1)

    def test_it_parses_postgres_urls(self):
        db = database_from_url("postgres://toki:p%40ss@db.local:5433/toki?sslmode=require")
        self.assertEqual(db["ENGINE"], "django.db.backends.postgresql")
        self.assertEqual((db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]),
                         ("toki", "p@ss", "db.local", "5433", "toki"))
        self.assertEqual(db["OPTIONS"], {"sslmode": "require"})

    def test_it_parses_sqlite_urls_and_refuses_others(self):
        self.assertEqual(database_from_url("sqlite:////tmp/x.sqlite3")["NAME"], "/tmp/x.sqlite3")
        with self.assertRaisesMessage(EnvError, "mysql"):
            database_from_url("mysql://x/y")


class WsgiTests(SimpleTestCase):
    def test_loading_the_wsgi_application_imports_the_views_before_the_first_request(self):
        # A fresh gunicorn worker must not spend its first request importing the URLconf (docs/benchmarks.md).
        code = ("import sys, toki.wsgi; "
                "print(all(m in sys.modules for m in ('toki.urls', 'toki.shelters.api', 'toki.portal.views')))")
        result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "TOKI_DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                                     "ALLOWED_HOSTS": "bousai.example.jp"})
        self.assertEqual(result.stdout.strip(), "True", result.stderr)


class RQConnectionTimeoutTests(SimpleTestCase):
    """A Redis that accepts the connection and never answers (a hung server, a half-open link) must fail an
    enqueue within the socket timeout of the settings, not hang the web request that commits (issue 18 e)."""

    def test_an_enqueue_to_a_silent_redis_fails_within_the_socket_timeout(self):
        import socket
        import threading

        listener = socket.create_server(("127.0.0.1", 0))
        held = []

        def accept_and_say_nothing():
            while True:
                try:
                    held.append(listener.accept()[0])
                except OSError:
                    return

        threading.Thread(target=accept_and_say_nothing, daemon=True).start()
        port = listener.getsockname()[1]
        script = ("import time, django_rq\n"
                  "queue = django_rq.get_queue('default')\n"
                  "kwargs = queue.connection.connection_pool.connection_kwargs\n"
                  "print('timeouts', kwargs.get('socket_timeout'), kwargs.get('socket_connect_timeout'))\n"
                  "started = time.monotonic()\n"
                  "try:\n"
                  "    queue.enqueue('builtins.print', 'never')\n"
                  "except Exception as error:\n"
                  "    print('failed', type(error).__name__, round(time.monotonic() - started, 1))\n")
        try:
            result = manage("shell", "-c", script, REDIS_URL=f"redis://127.0.0.1:{port}/8", TOKI_TASKS="rq",
                            TOKI_RQ_SOCKET_TIMEOUT="1", TOKI_RQ_CONNECT_TIMEOUT="1")
        finally:
            listener.close()
            for connection in held:
                connection.close()
        self.assertIn("timeouts 1.0 1.0", result.stdout, result.stderr)
        failed = result.stdout.split("failed ")[1].split()
        self.assertEqual(failed[0], "TimeoutError")
        self.assertLess(float(failed[1]), 5)  # one read timeout (1 s), not the 300 s a hung Redis would cost
