"""Travel times behind one interface: straight line, a matrix file, and an OSRM server (a local HTTP server that
answers OSRM's /table/v1 format)."""

import json
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.test import SimpleTestCase, override_settings

from toki.lib.geo import haversine_km
from toki.transport.rides.travel import MatrixFile, Osrm, StraightLine, TravelError, travel_for

OFFICE = (38.080515, 138.43526)
HOSPITAL = (38.088181, 138.43027)


class LocalOsrm(BaseHTTPRequestHandler):
    """Speaks OSRM's table service: /table/v1/driving/{lon,lat;...}?annotations=duration,distance. Distances are
    1.25 × the great-circle distance, durations that at 36 km/h; a coordinate in the sea answers NoRoute."""

    calls: list[str] = []

    def do_GET(self):
        LocalOsrm.calls.append(self.path)
        path, _, query = self.path.partition("?")
        prefix = "/table/v1/driving/"
        if not path.startswith(prefix) or "annotations=duration,distance" not in query:
            return self._answer(400, {"code": "InvalidUrl", "message": "bad path"})
        coords = [tuple(map(float, c.split(","))) for c in path[len(prefix):].split(";")]
        if any(lon > 139 for lon, _lat in coords):
            return self._answer(400, {"code": "NoRoute", "message": "Impossible route between points"})
        metres = [[haversine_km(a[1], a[0], b[1], b[0]) * 1250 for b in coords] for a in coords]
        return self._answer(200, {"code": "Ok", "distances": metres,
                                  "durations": [[m / 10 for m in row] for row in metres]})

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class TravelTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), LocalOsrm)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def test_it_estimates_a_straight_line_with_the_detour_factor_and_speed(self):
        matrix = StraightLine(30, 1.3).matrix([OFFICE, HOSPITAL])
        direct = haversine_km(*OFFICE, *HOSPITAL)
        self.assertAlmostEqual(matrix.km[0][1], direct * 1.3)
        self.assertAlmostEqual(matrix.minutes[0][1], direct * 1.3 / 30 * 60)
        self.assertEqual(matrix.km[0][0], 0)

    def test_it_refuses_a_detour_factor_below_one(self):
        with self.assertRaises(TravelError):
            StraightLine(30, 0.9)

    def test_it_reads_the_osrm_table(self):
        matrix = Osrm(self.base).matrix([OFFICE, HOSPITAL, OFFICE])
        self.assertAlmostEqual(matrix.km[0][1], haversine_km(*OFFICE, *HOSPITAL) * 1.25, places=6)
        self.assertAlmostEqual(matrix.minutes[0][1], matrix.km[0][1] * 1000 / 10 / 60, places=6)
        self.assertIn("138.435260,38.080515;138.430270,38.088181", LocalOsrm.calls[-1])

    def test_it_reports_an_osrm_error_code(self):
        with self.assertRaisesMessage(TravelError, "NoRoute"):
            Osrm(self.base).matrix([OFFICE, (38.0, 139.5)])

    def test_it_reports_an_unreachable_server(self):
        with self.assertRaisesMessage(TravelError, "could not be read"):
            Osrm("http://127.0.0.1:9", timeout=1).matrix([OFFICE, HOSPITAL])

    def test_it_reads_a_matrix_file_and_matches_points_within_50_m(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "m.json"
            path.write_text(json.dumps({"points": [OFFICE, HOSPITAL], "minutes": [[0, 4], [5, 0]],
                                        "km": [[0, 1.5], [1.6, 0]]}))
            matrix = MatrixFile(str(path)).matrix([HOSPITAL, (OFFICE[0] + 0.0002, OFFICE[1])])
            self.assertEqual(matrix.minutes, [[0, 5], [4, 0]])
            with self.assertRaisesMessage(TravelError, "no listed point within 50 m of 38.100000"):
                MatrixFile(str(path)).matrix([(38.1, 138.4)])

    def test_it_names_what_is_wrong_in_a_matrix_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bad.json"
            path.write_text(json.dumps({"points": [OFFICE, HOSPITAL], "minutes": [[0, -1], [5, 0]],
                                        "km": [[0, 1.5], [1.6, 0]]}))
            with self.assertRaisesMessage(TravelError, "minutes[0][1] must be a number ≥ 0"):
                MatrixFile(str(path))

    def test_it_chooses_the_source_from_the_setting(self):
        class Area:
            speed_kmh, detour_factor = 30.0, 1.3

        with override_settings(TOKI_RIDES_TRAVEL=f"osrm:{self.base}"):
            self.assertIsInstance(travel_for(Area()), Osrm)
        with override_settings(TOKI_RIDES_TRAVEL="straight"):
            self.assertIsInstance(travel_for(Area()), StraightLine)
