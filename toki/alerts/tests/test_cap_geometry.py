"""CAP polygons out of GeoJSON boundaries, and CAP shapes against district boundaries."""

import math

from django.test import SimpleTestCase

from toki.alerts.cap.geometry import (
    MAX_POINTS,
    cap_polygons,
    circle_meets_geometry,
    is_simple,
    polygon_meets_geometry,
    simplify_ring,
)
from toki.alerts.cap.message import Circle
from toki.alerts.cap.parse import parse_polygon

SQUARE = {"type": "Polygon", "coordinates": [[[138.0, 38.0], [138.1, 38.0], [138.1, 38.1], [138.0, 38.1],
                                              [138.0, 38.0]]]}


def wiggly_circle(points: int) -> dict:
    """A closed ring of `points` vertices around (38.0 N, 138.4 E) with a small wiggle on every vertex."""
    ring = []
    for i in range(points):
        angle = 2 * math.pi * i / points
        radius = 0.1 + 0.002 * (i % 2)
        ring.append([round(138.4 + radius * math.cos(angle), 6), round(38.0 + radius * math.sin(angle), 6)])
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


class OutTest(SimpleTestCase):
    def test_it_writes_closed_polygons_latitude_first(self):
        (polygon,) = cap_polygons(SQUARE)
        self.assertEqual(polygon, "38,138 38,138.1 38.1,138.1 38.1,138 38,138")

    def test_it_writes_one_polygon_per_part_of_a_multipolygon_without_holes(self):
        hole = [[138.02, 38.02], [138.03, 38.02], [138.03, 38.03], [138.02, 38.02]]
        multi = {"type": "MultiPolygon", "coordinates": [[SQUARE["coordinates"][0], hole],
                                                         wiggly_circle(12)["coordinates"]]}
        self.assertEqual(len(cap_polygons(multi)), 2)

    def test_it_simplifies_a_large_boundary_to_at_most_100_points(self):
        (polygon,) = cap_polygons(wiggly_circle(2000))
        points = parse_polygon(polygon)
        self.assertLessEqual(len(points), MAX_POINTS)
        self.assertGreaterEqual(len(points), 4)
        self.assertEqual(points[0], points[-1])
        self.assertTrue(is_simple([(lon, lat) for lat, lon in points[:-1]]))

    def test_it_keeps_a_small_boundary_as_it_is(self):
        (polygon,) = cap_polygons(wiggly_circle(40))
        self.assertEqual(len(parse_polygon(polygon)), 41)

    def test_it_leaves_out_a_degenerate_ring(self):
        self.assertEqual(simplify_ring([(138.0, 38.0), (138.0, 38.0), (138.000001, 38.0)], 99), [])

    def test_it_writes_nothing_for_a_missing_boundary(self):
        self.assertEqual(cap_polygons(None), [])

    def test_it_tells_a_self_crossing_ring(self):
        self.assertFalse(is_simple([(0, 0), (1, 1), (1, 0), (0, 1)]))
        self.assertTrue(is_simple([(0, 0), (1, 0), (1, 1), (0, 1)]))


class InTest(SimpleTestCase):
    def test_it_sees_a_polygon_inside_a_boundary(self):
        inside = parse_polygon("38.04,138.04 38.04,138.06 38.06,138.06 38.04,138.04")
        self.assertTrue(polygon_meets_geometry(inside, SQUARE))

    def test_it_sees_a_polygon_around_a_boundary(self):
        around = parse_polygon("37.9,137.9 37.9,138.2 38.2,138.2 38.2,137.9 37.9,137.9")
        self.assertTrue(polygon_meets_geometry(around, SQUARE))

    def test_it_sees_a_crossing_without_a_vertex_inside_either(self):
        bar = parse_polygon("38.04,137.9 38.04,138.2 38.06,138.2 38.06,137.9 38.04,137.9")
        self.assertTrue(polygon_meets_geometry(bar, SQUARE))

    def test_it_sees_a_polygon_elsewhere(self):
        elsewhere = parse_polygon("35.6,139.7 35.6,139.8 35.7,139.8 35.6,139.7")
        self.assertFalse(polygon_meets_geometry(elsewhere, SQUARE))

    def test_it_sees_a_circle_reaching_a_boundary(self):
        centre_lat = 38.05
        centre_lon = 138.1 + 2 / (111.2 * math.cos(math.radians(centre_lat)))  # 2 km east of the edge
        self.assertTrue(circle_meets_geometry(Circle(centre_lat, centre_lon, 3), SQUARE))
        self.assertFalse(circle_meets_geometry(Circle(centre_lat, centre_lon, 1), SQUARE))

    def test_it_sees_a_point_inside_a_boundary(self):
        self.assertTrue(circle_meets_geometry(Circle(38.05, 138.05, 0), SQUARE))
