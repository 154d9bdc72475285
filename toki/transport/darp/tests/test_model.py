from unittest import TestCase

from toki.transport.darp.model import InstanceError, Request, Vehicle, load_cordeau, parse_cordeau

from .helpers import darp_dir, line_instance


def two_n_layout(text: str, with_end: bool) -> str:
    """Rewrite an original-layout file into the "2n" layout (header field 2n, depot window 1440)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    k, n, t, q, ride = lines[0].split()
    nodes = lines[1:] if with_end else lines[1:-1]
    depot = nodes[0].split()
    nodes[0] = " ".join([*depot[:5], "0", "1440"])
    return "\n".join([f"{k} {2 * int(n)} {t} {q} {ride}", *nodes])


class CordeauLoaderTests(TestCase):
    def test_it_reads_the_original_layout(self):
        inst = load_cordeau(darp_dir() / "a2-16.txt")
        self.assertEqual((len(inst.requests), len(inst.vehicles)), (16, 2))
        first = inst.requests[0]
        self.assertEqual((first.pickup, first.dropoff, first.load, first.service_time), (1, 17, 1, 3.0))
        self.assertEqual(first.max_ride_time, 30.0)
        self.assertEqual(inst.vehicles[0].max_route_duration, 480.0)
        self.assertEqual((inst.vehicles[0].start_depot, inst.vehicles[0].end_depot), (0, 33))

    def test_it_reads_tab_separated_node_lines(self):
        inst = load_cordeau(darp_dir() / "a8-96.txt")
        self.assertEqual((len(inst.requests), len(inst.vehicles)), (96, 8))

    def test_it_reads_the_2n_layout_with_and_without_the_end_depot(self):
        text = (darp_dir() / "b2-16.txt").read_text()
        original = parse_cordeau(text)
        for with_end in (True, False):
            other = parse_cordeau(two_n_layout(text, with_end))
            self.assertEqual(other.requests, original.requests)
            self.assertEqual(other.travel, original.travel)
            self.assertEqual(other.vehicles[0].shift_end, 1440.0)

    def test_it_rejects_a_node_count_that_fits_no_layout(self):
        text = (darp_dir() / "a2-16.txt").read_text().splitlines()
        with self.assertRaisesRegex(InstanceError, "node lines"):
            parse_cordeau("\n".join(text[:-3]), "cut")

    def test_it_names_the_line_of_a_bad_number(self):
        text = (darp_dir() / "a2-16.txt").read_text().splitlines()
        text[3] = text[3].replace("3", "x", 1)
        with self.assertRaisesRegex(InstanceError, "line 4"):
            parse_cordeau("\n".join(text), "bad")


class InstanceValidationTests(TestCase):
    def test_it_rejects_a_node_outside_the_matrix(self):
        inst = line_instance()
        bad = Request("Z", 1, 99, (0.0, 1.0), (0.0, 1.0))
        with self.assertRaisesRegex(InstanceError, "outside the matrix"):
            inst.with_request(bad)

    def test_it_rejects_duplicate_vehicle_ids(self):
        inst = line_instance()
        with self.assertRaisesRegex(InstanceError, "twice"):
            type(inst)(inst.requests, (*inst.vehicles, Vehicle("bus", 3)), inst.travel)
