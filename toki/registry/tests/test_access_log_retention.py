"""Access-log retention: `registry_prune_access_log` writes a signed checkpoint then deletes the old prefix of the
chain, the rest verifies from the checkpoint; the database refuses every other delete; the chain head goes off the
box (a file, a local HTTP endpoint) and `registry_verify_access_log` finds a table rewritten as a whole."""

import json
import tempfile
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from toki.accounts.models import AuditEvent
from toki.registry import accesslog
from toki.registry.models import AccessLog, AccessLogCheckpoint, AccessLogHead, Person
from toki.registry.tests.helpers import KEYS_V1, csv_bytes, person_row, write_csv
from toki.registry.tests.test_access_log import guard_lifted
from toki.test import BaseTestCase

DB_REFUSALS = DatabaseError  # SQLite: IntegrityError (RAISE(ABORT)); PostgreSQL: the RAISE EXCEPTION


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


class HeadSink:
    """A local HTTP endpoint as the off-box sink: POST appends a head, GET answers the last (404 before any)."""

    def __init__(self):
        self.heads: list[dict] = []
        self.authorizations: list[str] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sink.heads.append(json.loads(body))
                sink.authorizations.append(self.headers.get("Authorization", ""))
                self.send_response(201)
                self.end_headers()

            def do_GET(self):
                if not sink.heads:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = json.dumps(sink.heads[-1]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/heads"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@override_settings(**KEYS_V1, TOKI_REGISTRY_ACCESS_LOG_YEARS=5)
class RetentionTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row(f"R{i}", name=f"保存 {i}") for i in range(3)]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())

    def look(self, when=None, times=1):
        """Looks at every person as the district list logs them (accesslog.record), at `when`."""
        people = list(Person.objects.values_list("pk", flat=True))
        looks = [accesslog.Look(pk, ("name", "address"), AccessLog.Basis.INTERNAL) for pk in people]
        with freeze_time(when or timezone.now()):
            for _ in range(times):
                accesslog.record(self.alice, looks, action=AccessLog.Action.LIST, purpose="drill")

    def test_pruning_writes_a_checkpoint_first_and_the_rest_still_verifies(self):
        self.look(timezone.now() - timedelta(days=6 * 366), times=2)  # 6 rows past 5 years
        self.look()  # 3 rows of today
        old_last = AccessLog.objects.order_by("id")[5]
        self.assertIn("would prune 6 rows", run("registry_prune_access_log", "--dry-run"))
        self.assertEqual(9, AccessLog.objects.count())
        self.assertIn(f"pruned 6 rows through row {old_last.pk}", run("registry_prune_access_log"))
        self.assertEqual(3, AccessLog.objects.count())
        checkpoint = AccessLogCheckpoint.objects.get()
        self.assertEqual((old_last.pk, old_last.entry_hash, 6), (checkpoint.last_id, checkpoint.last_hash,
                                                                 checkpoint.pruned))
        self.assertTrue(AuditEvent.objects.filter(action="registry.access_log_pruned").exists())
        self.assertIn(f"3 rows verified, from the checkpoint after row {old_last.pk}",
                      run("registry_verify_access_log"))
        self.assertIn("nothing to prune", run("registry_prune_access_log"))
        self.look()  # the chain goes on after pruning
        self.assertIn("6 rows verified", run("registry_verify_access_log"))

    def test_a_shorter_retention_prunes_more(self):
        self.look(timezone.now() - timedelta(days=800))
        self.assertIn("nothing to prune", run("registry_prune_access_log"))
        with override_settings(TOKI_REGISTRY_ACCESS_LOG_YEARS=2):
            self.assertIn("pruned 3 rows", run("registry_prune_access_log"))

    def test_the_database_refuses_deletes_no_checkpoint_covers(self):
        self.look(timezone.now() - timedelta(days=6 * 366))
        self.look()
        newest = AccessLog.objects.order_by("-id").first()
        with self.assertRaises(DB_REFUSALS), transaction.atomic():
            AccessLog.objects.filter(pk=newest.pk).delete()
        run("registry_prune_access_log")
        with self.assertRaises(DB_REFUSALS), transaction.atomic():
            AccessLog.objects.filter(pk=newest.pk).delete()  # still refused after pruning: not covered
        with self.assertRaises(DB_REFUSALS), transaction.atomic():
            AccessLog.objects.filter(pk=newest.pk).update(purpose="support_planning")
        with self.assertRaises(DB_REFUSALS), transaction.atomic():
            AccessLogCheckpoint.objects.all().delete()  # checkpoints are append-only too
        with self.assertRaises(DB_REFUSALS), transaction.atomic():
            AccessLogCheckpoint.objects.all().update(pruned=1)
        self.assertEqual(3, AccessLog.objects.count())

    def test_a_forged_checkpoint_is_found(self):
        """Someone with the app's database rights writes a checkpoint to be allowed a delete: the checkpoint is not
        signed with the index key, and verification says so."""
        self.look()
        victim = AccessLog.objects.order_by("id").first()
        AccessLogCheckpoint.objects.create(created_at=timezone.now(), last_id=victim.pk, last_hash="0" * 64,
                                           pruned=1, signature="f" * 64)
        AccessLog.objects.filter(pk=victim.pk).delete()
        with self.assertRaisesMessage(CommandError, "is not signed by Toki"):
            run("registry_verify_access_log")

    def test_pruning_refuses_a_broken_chain(self):
        self.look(timezone.now() - timedelta(days=6 * 366))
        victim = AccessLog.objects.order_by("id")[1]
        with guard_lifted():
            AccessLog.objects.filter(pk=victim.pk).update(purpose="support_planning")
        with self.assertRaisesMessage(CommandError, f"nothing pruned: the chain is broken at row {victim.pk}"):
            run("registry_prune_access_log")
        self.assertEqual(3, AccessLog.objects.count())
        self.assertFalse(AccessLogCheckpoint.objects.exists())

    def rewrite_the_whole_table(self):
        """As the database owner with the index key: every row's purpose changed and the chain recomputed, the
        head row too. The chain alone then verifies."""
        with guard_lifted():
            rows = list(AccessLog.objects.order_by("id"))
            AccessLog.objects.all().delete()
            prev = ""
            for row in rows:
                row.purpose = "support_planning"
                row.prev_hash = prev
                row.entry_hash = prev = accesslog.entry_hash(prev, row.at, row.actor_id, row.person_id, row.action,
                                                             row.fields, row.purpose, row.basis,
                                                             row.recipient_class)
                with connection.cursor() as cursor:  # the original id and time, as a restore would
                    cursor.execute(
                        "INSERT INTO registry_accesslog (id, at, actor_id, person_id, action, fields, purpose, "
                        "basis, recipient_class, prev_hash, entry_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
                        "%s, %s)", [row.pk, row.at, row.actor_id, row.person_id, row.action,
                                    json.dumps(row.fields), row.purpose, row.basis, row.recipient_class,
                                    row.prev_hash, row.entry_hash])
        AccessLogHead.objects.filter(pk=1).update(last_hash=prev)

    def test_the_off_box_head_over_http_finds_a_rewritten_table(self):
        sink = HeadSink()
        self.addCleanup(sink.close)
        self.look(times=2)
        with override_settings(TOKI_REGISTRY_LOG_HEAD_SINK=sink.url, TOKI_REGISTRY_LOG_HEAD_TOKEN="sink-token"):
            self.assertNotIn("off-box", run("registry_verify_access_log"))  # nothing exported yet: 404
            self.assertIn("head exported: row", run("registry_export_log_head"))
            self.assertEqual(AccessLog.objects.order_by("-id").first().pk, sink.heads[-1]["sequence"])
            self.assertEqual("Bearer sink-token", sink.authorizations[-1])
            self.assertIn("matches the off-box head", run("registry_verify_access_log"))
            self.rewrite_the_whole_table()
            self.assertIn("access log chain holds", run_without_offbox())
            with self.assertRaisesMessage(CommandError, "no longer has the hash the off-box head"):
                run("registry_verify_access_log")

    def test_the_off_box_head_in_a_file_finds_removed_rows(self):
        path = Path(tempfile.mkdtemp(prefix="toki-head-")) / "heads.jsonl"
        self.look(times=2)
        with override_settings(TOKI_REGISTRY_LOG_HEAD_SINK=str(path)):
            run("registry_export_log_head")
            run("registry_export_log_head")
            self.assertEqual(2, len(path.read_text().splitlines()))
            self.assertIn("matches the off-box head", run("registry_verify_access_log"))
            last = AccessLog.objects.order_by("-id").first()
            with guard_lifted():  # the newest rows cut, the head row set back to match: the chain holds
                AccessLog.objects.filter(pk__gt=last.pk - 3).delete()
            AccessLogHead.objects.filter(pk=1).update(
                last_hash=AccessLog.objects.order_by("-id").first().entry_hash)
            with self.assertRaisesMessage(CommandError, f"row {last.pk}, the off-box head of"):
                run("registry_verify_access_log")

    def test_a_forged_off_box_head_and_a_missing_sink_are_refused(self):
        path = Path(tempfile.mkdtemp(prefix="toki-head-")) / "heads.jsonl"
        path.write_text(json.dumps({"sequence": 1, "entries": 1, "hash": "0" * 64, "at": "x", "mac": "0"}) + "\n")
        with override_settings(TOKI_REGISTRY_LOG_HEAD_SINK=str(path)), \
                self.assertRaisesMessage(CommandError, "off-box head: the off-box head is not signed by Toki"):
            run("registry_verify_access_log")
        with self.assertRaisesMessage(CommandError, "TOKI_REGISTRY_LOG_HEAD_SINK is not set"):
            run("registry_export_log_head")
        with override_settings(TOKI_REGISTRY_LOG_HEAD_SINK="http://127.0.0.1:9/heads"), \
                self.assertRaisesMessage(CommandError, "the head sink did not answer"):
            run("registry_export_log_head")

    def test_the_retention_setting_is_validated(self):
        with override_settings(TOKI_REGISTRY_ACCESS_LOG_YEARS="0"), \
                self.assertRaisesMessage(ValueError, "TOKI_REGISTRY_ACCESS_LOG_YEARS"):
            run("registry_prune_access_log")


def run_without_offbox() -> str:
    with override_settings(TOKI_REGISTRY_LOG_HEAD_SINK=""):
        return run("registry_verify_access_log")
