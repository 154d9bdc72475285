from datetime import timedelta
from decimal import Decimal
from io import StringIO

from django.core.exceptions import ValidationError
from django.utils import timezone

from toki.hq.damage import actions
from toki.hq.damage.selectors import live_aggregate
from toki.hq.damage.tests.support import DamageTestCase


class SumAndDerivedTests(DamageTestCase):
    def test_it_sums_current_versions_by_district_and_in_total(self):
        self.file({"casualties_dead": 1, "casualties_injured_minor": 2})
        self.file({"casualties_dead": 2}, district=self.aikawa)
        aggregate = live_aggregate(self.incident)
        self.assertEqual(aggregate.totals["casualties_dead"], 3)
        self.assertEqual(aggregate.by_district["ryotsu"]["casualties_dead"], 1)
        self.assertEqual(aggregate.by_district["aikawa"]["casualties_dead"], 2)
        self.assertEqual(aggregate.by_district["ogi"]["casualties_dead"], 0)
        self.assertEqual(aggregate.report_count, 2)

    def test_it_derives_affected_households_and_persons(self):
        self.file({"housing_total_collapse_households": 2, "housing_total_collapse_persons": 5,
                   "housing_half_collapse_households": 3, "housing_flood_above_floor_households": 4,
                   "housing_flood_below_floor_households": 7, "housing_partial_damage_households": 9})
        totals = live_aggregate(self.incident).totals
        self.assertEqual(totals["affected_households"], 9)  # 2 + 3 + 4: 一部破損 and 床下浸水 are not り災
        self.assertEqual(totals["affected_persons"], 5)

    def test_it_derives_the_part1_totals_and_the_loss_total(self):
        self.file({"casualties_dead": 1, "casualties_missing": 1, "casualties_injured_serious": 2,
                   "casualties_injured_minor": 3})
        self.file({"loss_public_civil_works_kyen": 1000, "loss_agriculture_kyen": 250})
        totals = live_aggregate(self.incident).totals
        self.assertEqual((totals["casualties_injured"], totals["casualties_total"]), (5, 7))
        self.assertEqual((totals["loss_public_subtotal_kyen"], totals["loss_total_kyen"]), (1000, 1250))

    def test_it_counts_a_corrected_report_once_with_its_new_numbers(self):
        report = self.file({"casualties_dead": 2})
        actions.correct_report(acting_user=self.alice, report=report, counts={"casualties_dead": 1},
                               reason="重複計上")
        self.assertEqual(live_aggregate(self.incident).totals["casualties_dead"], 1)

    def test_it_keeps_hectares_with_decimals(self):
        self.file({"paddy_submerged_ha": "1.25"})
        self.file({"paddy_submerged_ha": "0.5"}, district=self.aikawa)
        self.assertEqual(live_aggregate(self.incident).totals["paddy_submerged_ha"], Decimal("1.75"))

    def test_it_keeps_other_incidents_apart(self):
        from toki.hq import actions as hq_actions

        other = hq_actions.open_incident(acting_user=self.alice, municipality=self.municipality, name="別件",
                                         kind="storm")
        self.file({"casualties_dead": 4}, incident=other)
        self.assertEqual(live_aggregate(self.incident).totals["casualties_dead"], 0)


class PeakTests(DamageTestCase):
    def setUp(self):
        super().setUp()
        self.t0 = timezone.now() - timedelta(hours=6)

    def at(self, hours):
        return self.t0 + timedelta(hours=hours)

    def power(self, value, *, hours, report=None, district=None, correction=False):
        if report is None:
            return self.file({"lifeline_power_households": value}, observed_at=self.at(hours),
                             district=district)
        actions.correct_report(acting_user=self.alice, report=report, counts={"lifeline_power_households": value},
                               reason="update", observed_at=None if correction else self.at(hours))
        return report

    def test_it_takes_the_peak_of_the_concurrent_total_not_the_sum_over_time(self):
        a = self.power(500, hours=0)
        b = self.power(300, hours=1, district=self.aikawa)
        self.power(100, hours=2, report=a)  # 両津 recovers: concurrent total 400
        self.power(350, hours=3, report=b)  # 相川 worse: 450 — still below the 800 at hour 1
        aggregate = live_aggregate(self.incident)
        self.assertEqual(aggregate.totals["lifeline_power_households"], 800)
        self.assertEqual((aggregate.definition_code, aggregate.definition_version), ("fdma-4", "R8"))
        self.assertEqual(aggregate.peak_at["lifeline_power_households"], self.at(1))
        self.assertEqual(aggregate.current["lifeline_power_households"], 450)
        self.assertEqual(aggregate.by_district["ryotsu"]["lifeline_power_households"], 500)
        self.assertEqual(aggregate.by_district["aikawa"]["lifeline_power_households"], 350)

    def test_it_lets_a_correction_replace_a_wrong_figure_at_the_same_moment(self):
        a = self.power(5000, hours=0)  # a typo: 500 was meant
        self.power(500, hours=0, report=a, correction=True)
        self.assertEqual(live_aggregate(self.incident).totals["lifeline_power_households"], 500)

    def test_it_treats_an_item_left_out_of_a_correction_as_restored(self):
        a = self.power(200, hours=0)
        actions.correct_report(acting_user=self.alice, report=a, counts={}, reason="復旧", observed_at=self.at(1))
        b = self.power(150, hours=2)
        aggregate = live_aggregate(self.incident)
        self.assertEqual(aggregate.totals["lifeline_power_households"], 200)
        self.assertEqual(aggregate.current["lifeline_power_households"], 150)
        self.assertIsNotNone(b)

    def test_it_refuses_a_version_observed_before_the_current_one(self):
        a = self.power(200, hours=2)
        with self.assertRaises(ValidationError) as caught:
            self.power(100, hours=1, report=a)
        self.assertIn("observed_at", caught.exception.message_dict)

    def test_it_traces_a_peak_to_the_versions_in_effect_then(self):
        a = self.power(500, hours=0)
        b = self.power(300, hours=1, district=self.aikawa)
        self.power(0, hours=2, report=a)
        aggregate = live_aggregate(self.incident, with_sources=True)
        self.assertEqual(aggregate.sources["lifeline_power_households"],
                         sorted([a.versions.get(number=1).pk, b.current_version_id]))
        self.assertEqual(aggregate.district_sources[("ryotsu", "lifeline_power_households")],
                         [a.versions.get(number=1).pk])
        self.assertEqual(aggregate.district_sources[("aikawa", "lifeline_power_households")], [b.current_version_id])
        self.assertEqual(aggregate.district_sources[("ogi", "lifeline_power_households")], [])


def reference_peaks(versions):
    """The peak definition of docs/damage-reports.md, step by step: versions (report, district, value, observed,
    order) applied moment by moment; the maximum concurrent total and per-district totals."""
    versions = sorted(versions, key=lambda v: (v[3], v[4]))
    value_of, total_peak, district_peak = {}, Decimal(0), {}
    i = 0
    while i < len(versions):
        moment = versions[i][3]
        while i < len(versions) and versions[i][3] == moment:
            report, district, value = versions[i][:3]
            value_of[report] = (district, value)
            i += 1
        total_peak = max(total_peak, sum((v for _d, v in value_of.values()), Decimal(0)))
        for district in {d for d, _v in value_of.values()}:
            now = sum((v for d, v in value_of.values() if d == district), Decimal(0))
            district_peak[district] = max(district_peak.get(district, Decimal(0)), now)
    return total_peak, district_peak


class PeakAgainstReferenceTests(DamageTestCase):
    def test_it_matches_the_step_by_step_definition_on_random_series(self):
        import random

        rng = random.Random(11)
        t0 = timezone.now() - timedelta(days=1)
        districts = [self.ryotsu, self.aikawa, self.districts["ogi"]]
        log = []
        for _report in range(12):
            district = rng.choice(districts)
            hours = rng.randint(0, 10)
            value = rng.randint(0, 500)
            report = self.file({"lifeline_water_households": value}, district=district,
                               observed_at=t0 + timedelta(hours=hours))
            log.append((report.pk, district.code, Decimal(value), t0 + timedelta(hours=hours), len(log)))
            for _ in range(rng.randint(0, 3)):
                correction = rng.random() < 0.3
                hours += 0 if correction else rng.randint(1, 5)
                district = rng.choice(districts) if rng.random() < 0.2 else district
                value = rng.randint(0, 500)
                actions.correct_report(acting_user=self.alice, report=report, district=district,
                                       counts={"lifeline_water_households": value}, reason="更新",
                                       observed_at=None if correction else t0 + timedelta(hours=hours))
                log.append((report.pk, district.code, Decimal(value), t0 + timedelta(hours=hours), len(log)))
        total, by_district = reference_peaks(log)
        aggregate = live_aggregate(self.incident)
        self.assertEqual(aggregate.totals["lifeline_water_households"], total)
        for district in districts:
            self.assertEqual(aggregate.by_district[district.code]["lifeline_water_households"],
                             by_district.get(district.code, 0), district.code)
        self.assert_rebuild_agrees()

    def assert_rebuild_agrees(self):
        from django.core.management import call_command

        from toki.hq.damage.models import DamageTotal, LifelineLevel, LifelinePeak

        def state():
            return (
                sorted((t.district_id, t.item, t.value) for t in DamageTotal.objects.filter(value__gt=0)),
                sorted((p.district_id or 0, p.item, p.peak, p.peak_at) for p in LifelinePeak.objects.all()),
                sorted((lv.district_id or 0, lv.item, lv.observed_at, lv.level) for lv in LifelineLevel.objects.all()),
            )

        incremental = state()
        call_command("rebuild_damage_totals", str(self.incident.pk), stdout=StringIO())
        self.assertEqual(state(), incremental)
