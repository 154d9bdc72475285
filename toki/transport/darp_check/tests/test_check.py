import ast
from pathlib import Path
from unittest import TestCase

from toki.transport.darp_check import CheckInputError, check, read_instance

# A handmade instance in the original layout: 2 vehicles, 2 requests, T = 100, Q = 1, L = 10.
# Depot at 0; request 1 from (1,0) to (4,0); request 2 from (0,2) to (0,5); windows wide, service 1.
TEXT = """2 2 100 1 10
0 0 0 0 0 0 100
1 1 0 1 1 0 100
2 0 2 1 1 0 100
3 4 0 1 -1 0 100
4 0 5 1 -1 0 100
5 0 0 0 0 0 100
"""


class CheckerTests(TestCase):
    inst = read_instance(TEXT)

    def test_it_accepts_a_feasible_solution_and_computes_its_cost(self):
        verdict = check(self.inst, [[1, 3], [2, 4]])
        self.assertTrue(verdict.feasible and verdict.complete, verdict.reasons)
        self.assertAlmostEqual(verdict.cost, (1 + 3 + 4) + (2 + 3 + 5))

    def test_it_finds_a_load_over_capacity(self):
        verdict = check(self.inst, [[1, 2, 3, 4]])
        self.assertFalse(verdict.feasible)
        self.assertIn("load 2 > 1", verdict.reasons[0])

    def test_it_finds_a_drop_off_before_its_pickup(self):
        self.assertIn("before pickup", " ".join(check(self.inst, [[3, 1]]).reasons))

    def test_it_finds_a_missing_partner_and_counts_served_requests(self):
        verdict = check(self.inst, [[1]])
        self.assertIn("without its partner", " ".join(verdict.reasons))
        self.assertEqual(verdict.served, 0)

    def test_it_finds_a_node_visited_twice(self):
        self.assertIn("visited twice", " ".join(check(self.inst, [[1, 3], [1, 3]]).reasons))

    def test_it_finds_a_ride_over_the_limit(self):
        text = TEXT.replace("2 2 100 1 10", "2 2 100 1 2")
        self.assertIn("rides", " ".join(check(read_instance(text), [[1, 3]]).reasons))

    def test_it_finds_a_missed_window_and_a_long_route(self):
        late = TEXT.replace("3 4 0 1 -1 0 100", "3 4 0 1 -1 0 3")
        self.assertIn("latest", " ".join(check(read_instance(late), [[1, 3]]).reasons))
        short = TEXT.replace("2 2 100 1 10", "2 2 5 1 10")
        self.assertIn("duration", " ".join(check(read_instance(short), [[1, 3]]).reasons))

    def test_it_reads_the_2n_layout_without_end_depot(self):
        lines = TEXT.splitlines()
        text = "\n".join(["2 4 100 1 10", *lines[1:-1]])
        self.assertTrue(check(read_instance(text), [[1, 3], [2, 4]]).feasible)

    def test_it_rejects_an_unreadable_instance(self):
        with self.assertRaises(CheckInputError):
            read_instance("2 2 100 1 10\n0 0 0 0 0 0 100\n")

    def test_it_shares_no_code_with_the_solver(self):
        package = Path(__file__).resolve().parent.parent
        for path in package.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.ImportFrom):
                    names = [("." * node.level) + (node.module or "")]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                for name in names:
                    self.assertFalse(name == "toki.transport.darp" or name.startswith("toki.transport.darp."), path)
                    self.assertFalse(name.startswith(".."), path)
