"""The approximate outline of 佐渡島 in profiles/sado.json."""

import json
import math
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from toki.areas.tests.gsi_points import gsi_points
from toki.lib import geo

SADO = json.loads((Path(settings.BASE_DIR) / "profiles" / "sado.json").read_text(encoding="utf-8"))
OUTLINE = SADO["outline"]
RING = OUTLINE["coordinates"][0]


def area_km2(ring) -> float:
    kx = geo.KM_PER_DEGREE * math.cos(math.radians(38.07))
    return geo.ring_signed_area([(lon * kx, lat * geo.KM_PER_DEGREE) for lon, lat in ring[:-1]])


class SadoOutlineTests(SimpleTestCase):
    def test_it_contains_every_gsi_shelter_point(self):
        points = gsi_points()
        self.assertEqual(len(points), 150)
        outside = [name for name, lat, lon in points if not geo.point_in_geometry(lat, lon, OUTLINE)]
        self.assertEqual(outside, [])

    def test_it_keeps_the_shelters_off_its_edge(self):
        nearest = min(geo.distance_to_geometry_km(lat, lon, OUTLINE) for _, lat, lon in gsi_points())
        self.assertGreater(nearest, 0.2)

    def test_it_is_a_closed_counter_clockwise_ring_of_40_to_80_vertices(self):
        self.assertEqual(RING[0], RING[-1])
        self.assertTrue(40 <= len(RING) - 1 <= 80)
        self.assertGreater(area_km2(RING), 0)

    def test_it_has_about_the_island_area(self):
        # 佐渡島 is about 855 km²; the outline is drawn slightly generous at the coast and includes 加茂湖.
        self.assertAlmostEqual(area_km2(RING), 855, delta=0.1 * 855)

    def test_it_spans_the_island(self):
        min_lat, min_lon, max_lat, max_lon = geo.bbox_of(OUTLINE)
        self.assertAlmostEqual(min_lat, 37.80, delta=0.01)
        self.assertAlmostEqual(max_lat, 38.33, delta=0.01)
        self.assertAlmostEqual(min_lon, 138.20, delta=0.01)
        self.assertAlmostEqual(max_lon, 138.57, delta=0.01)

    def test_it_leaves_out_the_bays(self):
        for name, lat, lon in [("両津湾", 38.12, 138.52), ("真野湾", 37.95, 138.28), ("小佐渡の東の海", 38.0, 138.6)]:
            with self.subTest(name):
                self.assertFalse(geo.point_in_geometry(lat, lon, OUTLINE))

    def test_it_contains_the_plain_and_both_ranges(self):
        for name, lat, lon in [("国中平野", 38.03, 138.38), ("金北山 (大佐渡)", 38.10, 138.36),
                               ("小佐渡", 37.93, 138.42)]:
            with self.subTest(name):
                self.assertTrue(geo.point_in_geometry(lat, lon, OUTLINE))
