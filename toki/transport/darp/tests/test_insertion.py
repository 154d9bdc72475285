from dataclasses import replace
from unittest import TestCase

from toki.transport.darp import Plan, Request, Route, empty_plan, improve, insert, load_cordeau, solve
from toki.transport.darp.insertion import NO_FEASIBLE_SLOT, NOT_IN_INSTANCE, TOO_BIG

from .helpers import darp_dir, line_instance


def without(plan: Plan, request_id: str) -> Plan:
    routes = []
    for route in plan.routes:
        keep = [(s, t) for s, t in zip(route.stops, route.times, strict=True) if s.request_id != request_id]
        routes.append(Route(route.vehicle_id, tuple(s for s, _ in keep), tuple(t for _, t in keep)))
    return Plan(tuple(routes), (*plan.unassigned, request_id), {})


class InsertTests(TestCase):
    def test_it_accepts_with_a_promise_around_the_predicted_pickup(self):
        inst = line_instance()
        res = insert(inst, empty_plan(inst), inst.requests[0])
        self.assertTrue(res.accepted)
        assert res.plan is not None and res.promised_pickup is not None and res.predicted_pickup is not None
        low, high = res.promised_pickup
        self.assertLessEqual(low, res.predicted_pickup)
        self.assertLessEqual(res.predicted_pickup, high)
        self.assertEqual(res.plan.promises["A"], res.promised_pickup)
        self.assertEqual([s.kind for s in res.plan.routes[0].stops], ["pickup", "dropoff"])
        self.assertNotIn("A", res.plan.unassigned)

    def test_it_refuses_a_group_bigger_than_every_vehicle(self):
        inst = line_instance(capacity=2)
        big = Request("BIG", 1, 2, (0.0, 100.0), (0.0, 100.0), load=3)
        inst = inst.with_request(big)
        self.assertEqual(insert(inst, empty_plan(inst), big).reason, TOO_BIG)

    def test_it_refuses_a_request_of_another_instance(self):
        inst = line_instance()
        stranger = Request("X", 1, 2, (0.0, 100.0), (0.0, 100.0))
        self.assertEqual(insert(inst, empty_plan(inst), stranger).reason, NOT_IN_INSTANCE)

    def test_it_refuses_when_no_slot_keeps_the_windows(self):
        inst = line_instance()
        late = Request("LATE", 1, 2, (0.0, 100.0), (300.0, 310.0))  # after every shift ends
        inst = inst.with_request(late)
        self.assertEqual(insert(inst, empty_plan(inst), late).reason, NO_FEASIBLE_SLOT)

    def test_it_inserts_nothing_before_locked_stops(self):
        inst = line_instance()
        plan = empty_plan(inst)
        for req in inst.requests[:2]:
            res = insert(inst, plan, req)
            assert res.plan is not None
            plan = res.plan
        served = plan.routes[0].stops[:2]
        res = insert(inst, plan, inst.requests[2], locked={"bus": 2}, now=50.0)
        assert res.plan is not None and res.predicted_pickup is not None
        self.assertEqual(res.plan.routes[0].stops[:2], served)
        self.assertGreaterEqual(res.predicted_pickup, 50.0)

    def test_it_reinserts_removed_requests_into_a_large_plan(self):
        inst = load_cordeau(darp_dir() / "a4-32.txt")
        plan = solve(inst, time_limit=1.0, seed=1)
        accepted = 0
        for req in inst.requests[:8]:
            accepted += insert(inst, without(plan, req.id), req).accepted
        self.assertEqual(accepted, 8)


class ImproveTests(TestCase):
    def test_it_keeps_promises_and_never_gets_worse(self):
        inst = load_cordeau(darp_dir() / "a2-16.txt")
        plan = empty_plan(inst)
        for req in inst.requests:
            res = insert(inst, plan, req, promise_width=6.0)
            if res.plan is not None:
                plan = res.plan
        from toki.transport.darp import plan_cost

        before = plan_cost(inst, plan)
        better = improve(inst, plan, time_limit=1.0, seed=3)
        self.assertLessEqual(plan_cost(inst, better), before + 1e-9)
        self.assertLessEqual(len(better.unassigned), len(plan.unassigned))
        for route in better.routes:
            for stop, time in zip(route.stops, route.times, strict=True):
                if stop.kind == "pickup" and stop.request_id in plan.promises:
                    low, high = plan.promises[stop.request_id]
                    self.assertTrue(low - 1e-6 <= time <= high + 1e-6, (stop, time, low, high))

    def test_it_leaves_locked_stops_alone(self):
        inst = load_cordeau(darp_dir() / "a2-16.txt")
        plan = solve(inst, time_limit=0.5, seed=2)
        head = plan.routes[0].stops[:4]
        again = improve(inst, replace(plan, promises={}), time_limit=0.5, seed=5, locked={"1": 4})
        self.assertEqual(again.routes[0].stops[:4], head)
