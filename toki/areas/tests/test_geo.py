"""toki.lib.geo: haversine, half-plane clipping, point in polygon, Voronoi cells."""

from django.test import SimpleTestCase

from toki.lib import geo

SQUARE = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]
# A "U": two arms (x 0..1 and x 3..4) joined along the bottom (y 0..1).
U_SHAPE = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (3.0, 4.0), (3.0, 1.0), (1.0, 1.0), (1.0, 4.0), (0.0, 4.0)]


def polygon(ring, *holes):
    return {"type": "Polygon", "coordinates": [[list(p) for p in r] + [list(r[0])] for r in (ring, *holes)]}


class HaversineTests(SimpleTestCase):
    def test_it_measures_a_degree_of_latitude(self):
        self.assertAlmostEqual(geo.haversine_km(38.0, 138.0, 39.0, 138.0), 111.19, places=1)

    def test_it_measures_ryotsu_to_niigata_port(self):
        # 両津港 → 新潟港 (the ferry terminals), as the crow flies
        self.assertAlmostEqual(geo.haversine_km(38.0807, 138.4380, 37.9255, 139.0590), 57.1, delta=1.0)

    def test_it_is_zero_for_the_same_point(self):
        self.assertEqual(geo.haversine_km(38.0, 138.0, 38.0, 138.0), 0.0)


class ClipTests(SimpleTestCase):
    def test_it_keeps_the_inside_half_of_a_square(self):
        (ring,) = geo.clip_ring(SQUARE, 1.0, 0.0, 2.0)  # x <= 2
        self.assertAlmostEqual(abs(geo.ring_signed_area(ring)), 8.0)

    def test_it_keeps_a_polygon_wholly_inside(self):
        self.assertEqual(geo.clip_ring(SQUARE, 1.0, 0.0, 10.0), [SQUARE])

    def test_it_drops_a_polygon_wholly_outside(self):
        self.assertEqual(geo.clip_ring(SQUARE, 1.0, 0.0, -1.0), [])

    def test_it_splits_a_u_cut_across_both_arms_into_two_pieces(self):
        pieces = geo.clip_ring(U_SHAPE, 0.0, -1.0, -2.0)  # y >= 2: the two arm tops
        self.assertEqual(len(pieces), 2)
        self.assertEqual(sorted(abs(geo.ring_signed_area(p)) for p in pieces), [2.0, 2.0])

    def test_it_keeps_one_piece_when_the_cut_does_not_separate(self):
        pieces = geo.clip_ring(U_SHAPE, 0.0, 1.0, 2.0)  # y <= 2: bottom and arm stubs
        self.assertEqual(len(pieces), 1)
        self.assertAlmostEqual(abs(geo.ring_signed_area(pieces[0])), 6.0)


class PointInPolygonTests(SimpleTestCase):
    def test_it_finds_a_point_inside(self):
        self.assertTrue(geo.point_in_geometry(2.0, 2.0, polygon(SQUARE)))

    def test_it_rejects_a_point_outside(self):
        self.assertFalse(geo.point_in_geometry(5.0, 2.0, polygon(SQUARE)))

    def test_it_rejects_a_point_in_the_gap_of_a_u(self):
        self.assertFalse(geo.point_in_geometry(3.0, 2.0, polygon(U_SHAPE)))  # lat 3, lon 2

    def test_it_rejects_a_point_in_a_hole(self):
        hole = [(1.0, 1.0), (1.0, 3.0), (3.0, 3.0), (3.0, 1.0)]
        self.assertFalse(geo.point_in_geometry(2.0, 2.0, polygon(SQUARE, hole)))
        self.assertTrue(geo.point_in_geometry(0.5, 0.5, polygon(SQUARE, hole)))

    def test_it_finds_a_point_in_the_second_part_of_a_multipolygon(self):
        far = [(10.0, 10.0), (11.0, 10.0), (11.0, 11.0), (10.0, 11.0)]
        multi = {"type": "MultiPolygon",
                 "coordinates": [polygon(SQUARE)["coordinates"], polygon(far)["coordinates"]]}
        self.assertTrue(geo.point_in_geometry(10.5, 10.5, multi))


class DistanceTests(SimpleTestCase):
    def test_it_measures_the_distance_to_the_nearest_edge(self):
        square = polygon([(138.0, 38.0), (138.1, 38.0), (138.1, 38.1), (138.0, 38.1)])
        km = geo.distance_to_geometry_km(38.05, 138.1 + 0.01, square)
        self.assertAlmostEqual(km, 0.01 * geo.KM_PER_DEGREE * 0.788, delta=0.01)


class VoronoiTests(SimpleTestCase):
    def test_it_splits_a_square_between_two_sites(self):
        cells = geo.voronoi_cells([(2.0, 1.0), (2.0, 3.0)], polygon(SQUARE))
        self.assertTrue(geo.point_in_geometry(2.0, 0.5, cells[0]))
        self.assertTrue(geo.point_in_geometry(2.0, 3.5, cells[1]))
        self.assertFalse(geo.point_in_geometry(2.0, 3.5, cells[0]))

    def test_it_gives_a_multipolygon_when_a_bay_cuts_a_cell(self):
        # One site in the bottom bar, one in the gap between the arms: the second owns both arm tops.
        cells = geo.voronoi_cells([(0.5, 2.0), (3.5, 2.0)], polygon(U_SHAPE))
        self.assertEqual(cells[1]["type"], "MultiPolygon")
        self.assertTrue(geo.point_in_geometry(3.5, 0.5, cells[1]))
        self.assertTrue(geo.point_in_geometry(3.5, 3.5, cells[1]))

    def test_it_reports_problems_with_a_geometry(self):
        self.assertEqual(geo.polygon_geometry_errors(polygon(SQUARE)), [])
        broken = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
        self.assertIn("not closed", geo.polygon_geometry_errors(broken)[0])
