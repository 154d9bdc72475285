from datetime import date
from decimal import Decimal as D

from django.test import SimpleTestCase

from toki.kpi import achievement as a


class AchievementTests(SimpleTestCase):
    def test_rate_by_direction(self):
        self.assertEqual(a.achievement_rate("higher", D(240), D(300)), D("80.0"))
        self.assertEqual(a.achievement_rate("lower", D(50), D(40)), D("80.0"))  # 50 minutes against 40: 80 %
        self.assertEqual(a.achievement_rate("stage", D(2), D(4)), D("50.0"))
        self.assertIsNone(a.achievement_rate("higher", None, D(1)))
        self.assertIsNone(a.achievement_rate("higher", D(5), None))
        self.assertIsNone(a.achievement_rate("higher", D(5), D(0)))
        self.assertIsNone(a.achievement_rate("lower", D(0), D(5)))

    def test_interim_target_is_pro_rata_only_for_accumulating_figures(self):
        # FY2026 runs 2026-04-01 .. 2027-03-31 (365 days); by 2026-09-30, 183 days have gone.
        self.assertEqual(a.interim_target(D(365000), accumulates=True, year=2026, today=date(2026, 9, 30)),
                         D("183000.00"))
        self.assertEqual(a.interim_target(D(50), accumulates=False, year=2026, today=date(2026, 9, 30)), D(50))
        self.assertEqual(a.interim_target(D(100), accumulates=True, year=2025, today=date(2026, 9, 30)), D(100))
        self.assertEqual(a.interim_target(D(100), accumulates=True, year=2027, today=date(2026, 9, 30)), D(0))

    def test_bands(self):
        bands = a.parse_bands("C:0, S:100, A:80, B:60")
        self.assertEqual([name for name, _ in bands], ["S", "A", "B", "C"])
        self.assertEqual(a.status_band(D("100.0"), bands), "S")
        self.assertEqual(a.status_band(D("79.9"), bands), "B")
        self.assertEqual(a.status_band(D("12"), bands), "C")
        self.assertEqual(a.status_band(None, bands), "−")
        for bad in ("", "S100", "S:abc", ":5"):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                a.parse_bands(bad)

    def test_fiscal_years_and_wareki(self):
        self.assertEqual(a.fiscal_year_of(date(2027, 3, 31)), 2026)
        self.assertEqual(a.fiscal_year_of(date(2027, 4, 1)), 2027)
        self.assertEqual(a.fiscal_year_bounds(2024), (date(2024, 4, 1), date(2025, 3, 31)))
        self.assertEqual(a.wareki_year(2024), "令和6年度")
        self.assertEqual(a.wareki_year(2019), "令和元年度")

    def test_staleness_follows_the_cadence(self):
        today = date(2026, 12, 6)
        self.assertTrue(a.is_stale(None, "yearly", today))
        self.assertFalse(a.is_stale(date(2026, 11, 1), "monthly", today))
        self.assertTrue(a.is_stale(date(2026, 10, 1), "monthly", today))
        self.assertFalse(a.is_stale(date(2026, 1, 1), "yearly", today))
