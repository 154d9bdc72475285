import random
from unittest import TestCase

from toki.transport.darp.core import Problem, schedule
from toki.transport.darp.model import load_cordeau
from toki.transport.darp_check import check, read_instance

from .helpers import darp_dir, line_instance


class EightStepTests(TestCase):
    def test_it_delays_a_pickup_to_keep_the_ride_time(self):
        # A's drop-off opens late: leaving at once would make A ride 40 > 15; the 8 steps delay the departure.
        inst = line_instance(max_ride=15.0)
        reqs = list(inst.requests)
        reqs[0] = type(reqs[0])("A", 1, 2, (0.0, 100.0), (45.0, 60.0), service_time=1.0, max_ride_time=15.0)
        inst = type(inst)(tuple(reqs), inst.vehicles, inst.travel)
        P = Problem(inst)
        result = schedule(P, 0, [0, 3])  # pickup A then drop A
        assert result is not None
        start, times, _end = result
        self.assertGreater(start, 0.0)
        self.assertLessEqual(times[1] - (times[0] + 1.0), 15.0 + 1e-9)

    def test_it_refuses_a_route_over_capacity(self):
        P = Problem(line_instance(capacity=1))
        self.assertIsNone(schedule(P, 0, [0, 1, 3, 4]))  # A and B on board together
        self.assertIsNotNone(schedule(P, 0, [0, 3, 1, 4]))

    def test_it_agrees_with_the_independent_checker_on_random_routes(self):
        path = darp_dir() / "a2-16.txt"
        inst = load_cordeau(path)
        P = Problem(inst)
        checker_inst = read_instance(path.read_text())
        rng = random.Random(7)
        n = P.n
        agree = feasible = 0
        for _ in range(300):
            reqs = rng.sample(range(n), rng.randint(1, 4))
            seq: list[int] = []
            for r in reqs:
                i = rng.randint(0, len(seq))
                j = rng.randint(i + 1, len(seq) + 1)
                seq.insert(i, r)
                seq.insert(j, r + n)
            ours = schedule(P, 0, seq) is not None
            nodes = [s + 1 for s in seq]  # stop s is file node s + 1 (pickups 1..n, drop-offs n+1..2n)
            theirs = check(checker_inst, [nodes]).feasible
            agree += ours == theirs
            feasible += ours
        self.assertEqual(agree, 300)
        self.assertGreater(feasible, 10)
