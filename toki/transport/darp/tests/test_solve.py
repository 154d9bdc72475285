import csv
import io
import json
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import TestCase

from toki.transport.darp import improve
from toki.transport.darp.model import empty_plan, load_cordeau, plan_cost
from toki.transport.darp.solve import main

from .helpers import darp_dir
from .test_model import two_n_layout


def bks(name: str) -> float:
    path = darp_dir().parent.parent / "reference" / "darp_bks_ab.csv"
    with path.open() as fh:
        return next(float(r["bks_cost"]) for r in csv.DictReader(fh) if r["instance"] == name)


def run(*argv: str) -> tuple[int, dict]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = main(list(argv))
    return code, json.loads(out.getvalue()) if out.getvalue() else {}


class SolveCommandTests(TestCase):
    def test_it_solves_a2_16_to_the_optimum_with_a_feasible_verdict(self):
        code, result = run(str(darp_dir() / "a2-16.txt"), "--seconds", "2", "--seed", "1")
        self.assertEqual(code, 0)
        self.assertEqual(result["served"], 16)
        self.assertTrue(result["check"]["feasible"])
        self.assertAlmostEqual(result["check"]["cost"], result["cost"], places=4)
        self.assertLess(result["cost"], bks("a2-16") * 1.01)

    def test_it_solves_a_file_in_the_2n_layout(self):
        text = two_n_layout((darp_dir() / "b2-16.txt").read_text(), with_end=False)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "b2-16-2n.txt"
            path.write_text(text)
            code, result = run(str(path), "--seconds", "1")
        self.assertEqual(code, 0)
        self.assertEqual(result["served"], 16)
        self.assertTrue(result["check"]["complete"])

    def test_it_exits_2_on_an_unreadable_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bad.txt"
            path.write_text("2 16 480 3 30\n0 0 0 0 0 0 480\n")
            code, _ = run(str(path), "--seconds", "1")
        self.assertEqual(code, 2)


class IterationCapTests(TestCase):
    """A search capped at a number of iterations gives the same plan whatever the machine's speed."""

    def test_the_same_seed_and_cap_give_the_same_plan(self):
        instance = load_cordeau(darp_dir() / "a2-16.txt")
        start = empty_plan(instance)

        def search(iterations: int):
            return improve(instance, start, time_limit=600.0, seed=7, keep_promises=False, max_iterations=iterations)

        first, again = search(200), search(200)
        self.assertEqual(first.routes, again.routes)
        self.assertLess(plan_cost(instance, first), plan_cost(instance, search(1)))
