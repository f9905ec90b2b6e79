"""Route recombination: restarts of the search and the cheapest plan of their runs."""

from __future__ import annotations

import itertools
from dataclasses import replace

from planning.routing import plan_routes
from planning.routing_check import check_proposal
from planning.routing_model import build_model
from planning.routing_problem import DISTANCE_ONLY, TEAM_DAY, FixedStop, Weights
from planning.routing_recombine import RoutePool, _cost, applies
from planning.travel import HaversineTravelTimes
from tests.route_factories import at, caregiver, morning, problem, visit

DISTANCE = Weights(travel=1, lateness=0, contact_person=0, recent=0, overqualification=0)


def _day(**extra):
    visits = [visit(f"v{k}", k, start="08:00", end="14:00", duration=20) for k in range(8)]
    people = [caregiver("anna"), caregiver("bo"), caregiver("cai")]
    options = {"time_limit_s": 4.0, **extra}
    return problem(visits, people, weights=DISTANCE, break_rule=None,
                   search_profile=DISTANCE_ONLY, **options)


def test_recombination_applies_only_where_a_runs_cost_is_its_own():
    assert applies(_day())
    assert not applies(replace(_day(), search_profile=TEAM_DAY))  # one search
    assert not applies(replace(_day(), time_limit_s=2.0))  # no time for two searches
    visits, people = morning()  # preferred times with a lateness price
    assert not applies(problem(visits, people, search_profile=DISTANCE_ONLY))
    doubled = _day()
    doubled = replace(doubled, visits=(replace(doubled.visits[0], double_staffed=True),
                                       *doubled.visits[1:]))
    assert not applies(doubled)
    assert not applies(replace(_day(), fixed={("v0", 0): FixedStop("anna", at("08:00"))}))
    assert not applies(replace(_day(), not_before=at("09:30")))


def test_the_pool_gives_the_cheapest_set_of_runs_that_serves_every_stop():
    day = _day()
    model = build_model(day, HaversineTravelTimes())
    pool = RoutePool(day)
    pool.kinds = [0, 0, 0]  # three identical caregivers
    keys = [(f"v{k}", 0) for k in range(8)]
    # runs as three different searches might have left them, mixed and overlapping
    runs = {tuple(keys[:4]), tuple(keys[4:]), tuple(keys[::2]), tuple(keys[1::2]),
            tuple(keys[:3]), tuple(keys[3:6]), tuple(keys[6:]), tuple(keys[2:5]),
            (keys[0], keys[1], keys[5], keys[6]), (keys[2], keys[3], keys[4], keys[7])}
    pool.runs = {0: runs}
    cost, plan = pool.combine(model, 5.0)
    price = {run: _cost(model, 0, run) for run in runs}
    brute = min(sum(price[r] for r in chosen)
                for size in (1, 2, 3) for chosen in itertools.combinations(runs, size)
                if sorted(k for r in chosen for k in r) == sorted(keys))
    assert cost == brute
    assert sorted(k for run in plan.values() for k in run) == sorted(keys)
    assert sum(price[run] for run in plan.values()) == brute
    assert set(plan) <= {"anna", "bo", "cai"}


def test_a_day_planned_in_rounds_is_whole_valid_and_reported_as_the_problems_own():
    visits = [visit(f"v{k}", k, start=f"{8 + k % 4:02d}:00", end=f"{10 + k % 4:02d}:00",
                    duration=20) for k in range(14)]
    people = [caregiver("anna"), caregiver("bo"), caregiver("cai"), caregiver("dina")]
    day = problem(visits, people, weights=DISTANCE, break_rule=None, seed=3,
                  time_limit_s=3.2, search_profile=replace(DISTANCE_ONLY, restarts=2))
    assert applies(day)
    proposal = plan_routes(day)
    assert proposal.is_complete()
    assert check_proposal(day, proposal, HaversineTravelTimes()) == []
    assert proposal.seed == 3 and proposal.time_limit_s == 3.2
    assert proposal.status == "ROUTING_SUCCESS" and proposal.wall_s < 3.2 + 1.5
    single = plan_routes(replace(day, time_limit_s=1.0,
                                 search_profile=replace(DISTANCE_ONLY, restarts=1)))
    # the pool prices a plan as the routing model does
    model = build_model(day, HaversineTravelTimes())
    vehicle = {c.caregiver_id: v for v, c in enumerate(day.caregivers)}
    for plan in (proposal, single):
        priced = sum(_cost(model, vehicle[run.caregiver_id], tuple(s.key for s in run.stops))
                     for run in plan.run_lists if run.stops)
        assert priced == plan.objective.total > 0
