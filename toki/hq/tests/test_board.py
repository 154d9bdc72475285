import uuid
from datetime import timedelta
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from toki.alerts.actions.orders import issue_evacuation_order
from toki.hq import board, kpi
from toki.hq.actions import chronology
from toki.hq.actions import instructions as ia
from toki.hq.damage import actions as damage_actions
from toki.hq.damage.tests.support import bundled_doc
from toki.hq.models import Instruction
from toki.hq.tests.helpers import HqTestCase
from toki.shelters.actions.openings import open_shelter
from toki.shelters.actions.sync import apply_events, new_event
from toki.shelters.models import Shelter


class BoardTestCase(HqTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        damage_actions.load_definition(acting_user=None, doc=bundled_doc(), activate=True)

    def report(self, user, district, counts, **kwargs):
        return damage_actions.file_report(acting_user=user, incident=self.incident, category="casualties",
                                          counts=counts, district=district, **kwargs)

    def fill(self, n=5):
        for i in range(n):
            self.report(self.bob, self.ryotsu, {"casualties_injured_minor": 1}, latitude=38.08 + i / 1000,
                        longitude=138.44, address=f"両津 {i}")
            self.instruct(title=f"instruction {i}")
            chronology.write_entry(acting_user=self.alice, incident=self.incident, content=f"entry {i}",
                                   district=self.aikawa)
        issue_evacuation_order(acting_user=self.alice, districts=[self.ryotsu, self.aikawa], level=4,
                               hazard="landslide", reason="土砂災害")


class BoardDataTests(BoardTestCase):
    def test_it_sums_reports_of_two_branches_in_the_summary(self):
        self.report(self.bob, self.ryotsu, {"casualties_injured_minor": 2})
        self.report(self.frank, self.aikawa, {"casualties_injured_minor": 3})
        summary = board.board_summary(self.incident)
        row = next(r for r in summary["rows"] if r["item"].id == "casualties_injured_minor")
        self.assertEqual(row["total"], 5)
        self.assertEqual(summary["report_count"], 2)

    def test_it_puts_overdue_instructions_first(self):
        self.instruct(title="calm")
        late = self.instruct(title="late")
        Instruction.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=1))
        data = board.board_instructions(self.incident)
        self.assertEqual(data["items"][0].title, "late")
        self.assertTrue(data["items"][0].overdue)

    def test_it_maps_reports_orders_and_the_incidents_open_shelters_with_occupancy(self):
        self.fill(1)
        open_here = Shelter.objects.create(common_id="t-1", municipality=self.municipality, district=self.ryotsu,
                                           name="両津小", lat=38.08, lon=138.44, is_designated_shelter=True,
                                           source="gsi", capacity=10)
        Shelter.objects.create(common_id="t-2", municipality=self.municipality, district=self.districts["ogi"],
                               name="小木小", lat=37.8, lon=138.28, is_designated_shelter=True, source="gsi")
        opening = open_shelter(acting_user=self.alice, shelter=open_here, incident=self.incident)
        household = str(uuid.uuid4())
        apply_events(acting_user=self.alice, opening=opening, device_id="desk", events=[
            new_event("register_household", {"household_id": household, "members": [
                {"id": str(uuid.uuid4()), "name_kana": "サド タロウ"}, {"id": str(uuid.uuid4())}]}),
            new_event("check_in", {"household_id": household})])
        data = board.board_map(self.incident)
        self.assertEqual(len(data["reports"]), 1)
        self.assertEqual({o["district"] for o in data["orders"]}, {"ryotsu", "aikawa"})
        self.assertEqual([(s["name"], s["occupancy"], s["capacity"], s["crowding"]) for s in data["shelters"]],
                         [("両津小", 2, 10, "vacant")])


class BoardShelterTableTests(BoardTestCase):
    """Issue 14 item 11: the board's table of open shelters with evacuee counts, a live part like the others."""

    def test_it_lists_the_open_shelters_with_evacuees_and_follows_check_ins(self):
        shelter = Shelter.objects.create(common_id="t-1", municipality=self.municipality, district=self.ryotsu,
                                         name="両津小", lat=38.08, lon=138.44, is_designated_shelter=True,
                                         source="gsi", capacity=10)
        opening = open_shelter(acting_user=self.alice, shelter=shelter, incident=self.incident)
        self.login(self.bob)
        url = reverse("hq:board_part", args=[self.incident.pk, "shelters"])
        cache.clear()
        part = self.client.get(url)
        self.assertContains(part, "開設中の避難所")
        self.assertContains(part, "両津小")
        self.assertContains(part, "<td class=\"hq-num\" data-people>0</td>", html=False)
        household = str(uuid.uuid4())
        apply_events(acting_user=self.alice, opening=opening, device_id="desk", events=[
            new_event("register_household", {"household_id": household, "members": [
                {"id": str(uuid.uuid4()), "name_kana": "サド タロウ"}, {"id": str(uuid.uuid4())},
                {"id": str(uuid.uuid4())}]}),
            new_event("check_in", {"household_id": household})])
        cache.clear()  # the part's 3 s cache window has passed
        part = self.client.get(url)
        self.assertContains(part, "<td class=\"hq-num\" data-people>3</td>", html=False)
        self.assertContains(part, "開設 1 か所 · 1 世帯 3 人")
        self.assertContains(self.client.get(reverse("hq:board", args=[self.incident.pk])), 'id="board-shelters"')

    def test_it_says_when_no_shelter_is_open(self):
        self.login(self.alice)
        self.assertContains(self.client.get(reverse("hq:board_part", args=[self.incident.pk, "shelters"])),
                            "この災害で開設中の避難所はありません")


class BoardPageTests(BoardTestCase):
    def setUp(self):
        super().setUp()
        self.client.cookies["toki_language"] = "en"

    def test_it_renders_the_whole_board_without_javascript(self):
        self.fill(2)
        self.login(self.alice)
        response = self.client.get(reverse("hq:board", args=[self.incident.pk]))
        # with the shelters, the calls for help, the registry's 安否 panel (toki.hq.panels) and the tablets' replies
        self.assertContains(response, 'hx-trigger="every 10s"', count=7)
        self.assertContains(response, "instruction 1")
        self.assertContains(response, "entry 1")
        self.assertContains(response, 'data-item="casualties_injured_minor">2<')

    def test_it_caches_a_part_per_incident_and_language_not_per_user(self):
        cache.clear()
        url = reverse("hq:board_part", args=[self.incident.pk, "chronology"])
        self.login(self.alice)
        first = self.client.get(url).content
        chronology.write_entry(acting_user=self.alice, incident=self.incident, content="new entry")
        self.login(self.bob)
        self.assertEqual(self.client.get(url).content, first)  # within the cache window
        self.client.cookies["toki_language"] = "ja"
        self.assertContains(self.client.get(url), "new entry")  # another language: computed afresh
        cache.clear()
        self.login(self.eve)
        self.assertEqual(self.client.get(url).status_code, 404)  # the cache never skips the permission check

    def test_it_marks_a_drill_board(self):
        from toki.hq import actions
        drill = actions.open_incident(acting_user=self.alice, municipality=self.municipality, name="訓練",
                                      kind="earthquake", is_drill=True)
        self.login(self.alice)
        self.assertContains(self.client.get(reverse("hq:board", args=[drill.pk])), "【訓練】")

    def test_it_shows_branch_staff_the_board(self):
        self.login(self.bob)
        self.assertEqual(self.client.get(reverse("hq:board", args=[self.incident.pk])).status_code, 200)

    def test_it_shows_possible_calls_for_help_to_hq_only(self):
        from toki.hq.actions.distress import record_distress_message

        record_distress_message(municipality=self.municipality, channel="line", address="U" + "7" * 32,
                                text="裏山から水が出てきて怖いです")
        self.login(self.alice)
        page = self.client.get(reverse("hq:board", args=[self.incident.pk]))
        self.assertContains(page, "救助要請の可能性")
        self.assertContains(page, "裏山から水が出てきて怖いです")
        self.assertNotContains(page, "U" + "7" * 32)
        self.login(self.bob)  # a branch office reads the incident, not people's own words
        self.assertNotContains(self.client.get(reverse("hq:board", args=[self.incident.pk])), "裏山から")
        part = reverse("hq:board_part", args=[self.incident.pk, "distress"])
        self.assertEqual(self.client.get(part).status_code, 404)

    def test_it_pins_the_queries_of_each_partial(self):
        self.fill(5)
        self.login(self.alice)
        # session, user, memberships, incident, the municipality of the context processor, then the part itself:
        # the live aggregate (definition, districts, sums, peaks, report count) and the orders; the open
        # instructions and their count; the newest entries.
        expected = {"summary": 11, "shelters": 6, "instructions": 7, "chronology": 6, "distress": 6}
        for part, count in expected.items():
            url = reverse("hq:board_part", args=[self.incident.pk, part])
            cache.clear()
            with self.subTest(part=part), self.assertNumQueries(count):
                self.assertEqual(self.client.get(url).status_code, 200)
            with self.subTest(part=part, cached=True), self.assertNumQueries(4):  # the permission check only
                self.assertEqual(self.client.get(url).status_code, 200)
        cache.clear()
        with self.assertNumQueries(7):  # auth 3, incident, reports, orders, open shelters
            self.client.get(reverse("hq:board_map", args=[self.incident.pk]))
        with self.assertNumQueries(4):
            self.assertEqual(len(self.client.get(reverse("hq:board_map", args=[self.incident.pk])).json()["reports"]),
                             5)

    def test_it_keeps_the_partial_queries_flat_as_data_grows(self):
        self.fill(2)
        self.login(self.alice)
        counts = {}
        for size in ("small", "large"):
            if size == "large":
                self.fill(8)
            for part in ("summary", "shelters", "instructions", "chronology"):
                url = reverse("hq:board_part", args=[self.incident.pk, part])
                cache.clear()
                with CaptureQueriesContext(connection) as queries:
                    self.client.get(url)
                counts.setdefault(part, set()).add(len(queries))
        for part, seen in counts.items():
            self.assertEqual(len(seen), 1, part)


class KpiTests(BoardTestCase):
    def test_it_measures_instruction_times(self):
        start = timezone.now()
        first = self.instruct()
        second = self.instruct(to_org_unit=self.aikawa_office)
        with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=4)):
            ia.acknowledge_instruction(acting_user=self.bob, instruction=first)
        with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=10)):
            ia.acknowledge_instruction(acting_user=self.frank, instruction=second)
            ia.complete_instruction(acting_user=self.frank, instruction=second, result="済")
        times = kpi.instruction_times(self.incident)
        self.assertEqual(times["time_to_acknowledge"]["count"], 2)
        self.assertAlmostEqual(times["time_to_acknowledge"]["median_seconds"], 420, delta=5)
        self.assertAlmostEqual(times["time_to_acknowledge"]["p90_seconds"], 600, delta=5)
        self.assertAlmostEqual(times["time_to_done"]["median_seconds"], 600, delta=5)
        self.assertEqual(times["unacknowledged"], 0)

    def test_it_counts_accounts_that_acted_during_the_incident(self):
        self.report(self.bob, self.ryotsu, {"casualties_dead": 0})
        usage = kpi.usage_rate(self.incident)
        self.assertEqual(usage["used_accounts"], 2)  # alice opened it, bob filed
        self.assertEqual(usage["all_accounts"], 7)
        self.assertAlmostEqual(usage["rate"], 2 / 7, places=3)

    def test_it_measures_the_time_from_the_last_report_to_the_issued_report(self):
        filed_at = timezone.now()
        with mock.patch("django.utils.timezone.now", return_value=filed_at):
            self.report(self.bob, self.ryotsu, {"casualties_dead": 1})
        with mock.patch("django.utils.timezone.now", return_value=filed_at + timedelta(minutes=12)):
            damage_actions.issue_report(acting_user=self.alice, incident=self.incident, reporter_name="防災課")
        latency = kpi.report_latency(self.incident)
        self.assertEqual(latency["reports"][0]["number"], 1)
        self.assertAlmostEqual(latency["reports"][0]["seconds"], 720, delta=2)

    def test_it_serves_the_kpi_as_json_to_staff_only(self):
        url = reverse("hq:kpi_json", args=[self.incident.pk])
        self.login(self.alice)
        self.assertIn("usage", self.client.get(url).json())
        self.login(self.eve)
        self.assertEqual(self.client.get(url).status_code, 404)
