"""The static 軽量版: every page and JSON document, no scripts, the page budget, the atomic swap, debouncing, the
republish hooks (on commit, never on rollback), the command and drills (docs/static-site.md)."""

import json
import shutil
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.alerts.actions.state import apply_telegram
from toki.alerts.tests.telegram_fixtures import sado_warning, store
from toki.lifelines.actions import report_status, save_lifeline
from toki.notices.tests.helpers import make_notice
from toki.portal.actions import set_disaster_mode
from toki.portal.static_site.build import PAGE_BUDGET, PAGES, build_snapshot, languages
from toki.portal.static_site.publish import CURRENT, PREFIX, last_built_at, publish
from toki.portal.tasks import publish_static_site
from toki.shelters.actions import import_shelters
from toki.shelters.importing.rows import ShelterRow
from toki.shelters.models import Shelter
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin

TASK_PATH = "toki.portal.tasks.publish_static_site"
JSON_FILES = ("data/situation.json", "data/shelters.json", "data/lifelines.json", "data/notices.json")


class StaticSiteMixin:
    def setUp(self):
        super().setUp()
        self.root = Path(tempfile.mkdtemp(prefix="toki-static-test-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        settings_override = override_settings(TOKI_STATIC_SITE_DIR=self.root, TOKI_STATIC_SITE_KEEP=2)
        settings_override.enable()
        self.addCleanup(settings_override.disable)

    def publish(self, **kwargs):
        return publish(build_snapshot, root=self.root, **kwargs)

    def current(self) -> Path:
        return self.root / CURRENT

    def html_files(self) -> list[Path]:
        return sorted(self.current().rglob("*.html"))

    def json_of(self, name: str) -> dict:
        return json.loads((self.current() / name).read_text())


class PublishTests(StaticSiteMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ryotsu = cls.districts["ryotsu"]
        for number in range(60):  # more than any district of the Sado data holds
            Shelter.objects.create(municipality=cls.municipality, district=ryotsu, common_id=f"T{number:05d}",
                                   name=f"両津避難所{number} 公民館体育館", address="新潟県佐渡市両津湊1-2-3",
                                   lat=38.08, lon=138.43, is_designated_shelter=True, is_emergency_site=True,
                                   hazard_flood=True, hazard_earthquake=True, hazard_tsunami=True, source="gsi")
        save_lifeline(acting_user=None, municipality=cls.municipality, code="ferry", kind="ferry",
                      name="佐渡汽船 カーフェリー", district=ryotsu)
        issue_evacuation_order(acting_user=cls.alice, districts=[ryotsu], level=4, hazard="landslide",
                               reason="土砂災害警戒情報")

    def test_it_writes_every_page_in_every_language_and_the_json(self):
        make_notice(self)
        self.publish()
        for language in languages():
            for page in PAGES:
                self.assertTrue((self.current() / language / f"{page}.html").is_file(), f"{language}/{page}")
            self.assertTrue((self.current() / language / "shelters-ryotsu.html").is_file())
        self.assertTrue((self.current() / "index.html").is_file())
        for name in JSON_FILES:
            self.assertIn("generated_at", self.json_of(name), name)
        self.assertEqual(len(self.json_of("data/shelters.json")["shelters"]), 60)
        self.assertEqual(self.json_of("data/lifelines.json")["lifelines"][0]["code"], "ferry")
        self.assertEqual(len(self.json_of("data/notices.json")["notices"]), 1)

    def test_it_makes_the_root_index_the_japanese_home_page(self):
        self.publish()
        root_page = (self.current() / "index.html").read_text()
        self.assertIn('<html lang="ja">', root_page)
        self.assertIn('href="ja/shelters.html"', root_page)
        self.assertIn('href="../ja/shelters.html"', (self.current() / "ja" / "index.html").read_text())

    def test_it_shows_orders_in_force_in_each_language(self):
        self.publish()
        self.assertIn("両津", (self.current() / "ja" / "index.html").read_text())
        self.assertIn("Ryotsu", (self.current() / "en" / "index.html").read_text())
        orders = self.json_of("data/situation.json")["evacuation_orders"]
        self.assertEqual([(o["district"]["code"], o["level"]) for o in orders], [("ryotsu", 4)])

    def test_it_writes_no_script(self):
        make_notice(self, versions={"ja": ("題", '<p>本文<script>alert(1)</script></p>')})
        self.publish()
        for path in self.html_files():
            self.assertNotIn("<script", path.read_text().lower(), path)

    def test_it_keeps_every_page_within_the_budget(self):
        make_notice(self)
        self.publish()
        for path in self.html_files():
            self.assertLessEqual(path.stat().st_size, PAGE_BUDGET, path)

    def test_it_leaves_drills_out(self):
        issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ogi"]], level=5,
                               hazard="tsunami", reason="訓練", is_drill=True)
        self.publish()
        orders = self.json_of("data/situation.json")["evacuation_orders"]
        self.assertNotIn("ogi", [o["district"]["code"] for o in orders])
        self.assertNotIn("Ogi", (self.current() / "en" / "index.html").read_text())

    def test_it_shows_the_disaster_mode_message(self):
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True,
                          message="高台へ避難してください", message_en="Go to high ground")
        self.publish()
        self.assertIn("高台へ避難してください", (self.current() / "ja" / "index.html").read_text())
        self.assertIn("Go to high ground", (self.current() / "en" / "tourist.html").read_text())
        self.assertTrue(self.json_of("data/situation.json")["disaster_mode"]["on"])

    def test_it_keeps_the_two_previous_snapshots(self):
        for _ in range(5):
            self.publish()
        snapshots = sorted(p.name for p in self.root.glob(PREFIX + "*"))
        self.assertEqual(len(snapshots), 3)
        self.assertEqual(self.current().readlink().name, snapshots[-1])

    def test_it_is_idempotent_as_a_command(self):
        call_command("publish_static", stdout=open("/dev/null", "w"))  # noqa: SIM115
        first = {p.relative_to(self.current()) for p in self.current().rglob("*")}
        situation = self.json_of("data/situation.json")
        call_command("publish_static", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual({p.relative_to(self.current()) for p in self.current().rglob("*")}, first)
        again = self.json_of("data/situation.json")
        self.assertEqual({**again, "generated_at": None}, {**situation, "generated_at": None})
        self.assertEqual(len(list(self.root.glob(PREFIX + "*"))), 2)


class AtomicSwapTests(StaticSiteMixin, BaseTestCase):
    def test_it_never_shows_a_reader_a_half_written_page(self):
        contents = {n: (f"<!doctype html><p>{n}</p>" + "x" * 200_000 + "</html>\n").encode() for n in range(15)}
        versions = iter(contents.values())

        def build(_started_at):
            page = next(versions)
            return {"ja/index.html": page, "index.html": page}

        publish(build, root=self.root)
        seen, problems, stop = set(), [], threading.Event()

        def reader():
            while not stop.is_set():
                try:
                    data = (self.current() / "ja" / "index.html").read_bytes()
                except FileNotFoundError as exc:
                    problems.append(f"missing: {exc}")
                    continue
                if data not in contents.values():
                    problems.append(f"incomplete page of {len(data)} bytes")
                seen.add(data)

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            for _ in range(14):
                publish(build, root=self.root)
        finally:
            stop.set()
            thread.join()
        self.assertEqual(problems, [])
        self.assertGreater(len(seen), 1)  # the reader did read across swaps


class DebounceTests(StaticSiteMixin, BaseTestCase):
    def test_it_skips_a_change_the_snapshot_already_has(self):
        changed_at = timezone.now()
        self.assertTrue(self.publish(changed_at=changed_at).published)  # no snapshot yet
        self.assertFalse(self.publish(changed_at=changed_at).published)
        self.assertTrue(self.publish(changed_at=last_built_at(self.root) + timedelta(microseconds=1)).published)

    def test_it_publishes_a_burst_of_changes_once(self):
        stamps = [timezone.now().isoformat() for _ in range(50)]  # 50 commits before the worker gets to them
        results = [publish_static_site.call(changed_at=stamp) for stamp in stamps]
        self.assertEqual(sum(result["published"] for result in results), 1)
        self.assertEqual(len(list(self.root.glob(PREFIX + "*"))), 1)


@override_settings(TASKS=DATABASE_TASKS)
class HookTests(QueueMixin, BaseTestCase):
    def enqueued(self) -> int:
        """Republishes asked for, once the committed changes' domain events were delivered (ADR 0007)."""
        self.run_queued_tasks()
        return DBTaskResult.objects.filter(task_path=TASK_PATH).count()

    def test_it_enqueues_a_republish_when_an_order_is_issued(self):
        with self.captureOnCommitCallbacks(execute=True):
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=3,
                                   hazard="flood", reason="大雨")
        self.assertEqual(self.enqueued(), 1)
        row = DBTaskResult.objects.get(task_path=TASK_PATH)
        self.assertIn("changed_at", row.args_kwargs["kwargs"])

    def test_it_enqueues_a_republish_when_an_order_is_lifted(self):
        orders = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=3,
                                        hazard="flood", reason="大雨")
        with self.captureOnCommitCallbacks(execute=True):
            lift_evacuation_orders(acting_user=self.alice, orders=orders, reason="解除")
        self.assertEqual(self.enqueued(), 1)

    def test_it_does_not_enqueue_when_the_transaction_rolls_back(self):
        with self.captureOnCommitCallbacks(execute=True), self.assertRaises(RuntimeError), transaction.atomic():
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=3,
                                   hazard="flood", reason="大雨")
            raise RuntimeError("rolled back")
        self.assertEqual(self.enqueued(), 0)

    def test_it_does_not_enqueue_for_a_drill(self):
        with self.captureOnCommitCallbacks(execute=True):
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=3,
                                   hazard="flood", reason="訓練", is_drill=True)
        self.assertEqual(self.enqueued(), 0)

    def test_it_enqueues_a_republish_when_a_lifeline_changes(self):
        lifeline = save_lifeline(acting_user=None, municipality=self.municipality, code="power", kind="power",
                                 name="東北電力")
        with self.captureOnCommitCallbacks(execute=True):
            report_status(acting_user=self.alice, lifeline=lifeline, status="suspended", source="東北電力",
                          as_of=timezone.now())
        self.assertEqual(self.enqueued(), 1)

    def test_it_enqueues_a_republish_when_a_notice_is_published(self):
        with self.captureOnCommitCallbacks(execute=True):
            make_notice(self)
        self.assertGreaterEqual(self.enqueued(), 1)

    def test_it_enqueues_a_republish_when_disaster_mode_changes(self):
        with self.captureOnCommitCallbacks(execute=True):
            set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="避難して")
        self.assertEqual(self.enqueued(), 1)

    def test_it_enqueues_a_republish_when_a_telegram_is_applied(self):
        with self.captureOnCommitCallbacks(execute=True):
            apply_telegram(store(sado_warning(), "t1_VPWW54.xml").pk)
        self.assertEqual(self.enqueued(), 1)

    def test_it_does_not_enqueue_for_a_drill_telegram(self):
        with self.captureOnCommitCallbacks(execute=True):
            apply_telegram(store(sado_warning(status="訓練"), "t1_VPWW54.xml").pk)
        self.assertEqual(self.enqueued(), 0)

    def test_it_enqueues_a_republish_when_shelters_are_imported(self):
        row = ShelterRow(number=1, label="row 1", common_id="T00001", lat=38.08, lon=138.43,
                         fields={"name": "両津小学校", "is_designated_shelter": True})
        with self.captureOnCommitCallbacks(execute=True):
            import_shelters([row], acting_user=self.alice, municipality=self.municipality, source="gsi",
                            file_name="test.csv")
        self.assertEqual(self.enqueued(), 1)
