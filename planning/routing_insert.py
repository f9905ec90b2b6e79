"""Complete a replanning's warm start: put the orphaned stops in by cheapest insertion.

When someone goes home sick, the incumbent run lists lack that person's later
stops. Guided local search from such a warm start is slow to put them back
when the others' days are nearly full (the team-day benchmark left all eight
out in 4 s), so before the search each orphaned stop — tightest time window
first — goes where it adds the least cost among the places where the run
list still keeps every time window. Each candidate is confirmed by OR-Tools
itself (``ReadAssignmentFromRoutes``: breaks, double staffing, shifts) before
it is taken; a stop with no confirmed place stays out for the search.
"""

from __future__ import annotations

import time as clock

from planning.routing_model import RouteModel

CONFIRM = 6  # candidates confirmed by OR-Tools per stop, cheapest first


def complete_routes(model: RouteModel, routes: list[list[int]],
                    budget_s: float | None = None) -> list[list[int]]:
    """``routes`` (vehicle -> stop indices) with as many missing stops inserted as fit.

    Args:
        model: the closed routing model.
        routes: the warm start; not changed.
        budget_s: stop inserting after this many seconds (default: a quarter
            of the problem's time limit), leaving the rest to the search.

    Returns:
        the routes with the inserted stops (the same lists' copies when none fit).
    """
    if budget_s is None:
        budget_s = model.problem.time_limit_s / 4
    deadline = clock.perf_counter() + budget_s
    routing = model.routing
    routes = [list(route) for route in routes]
    present = {index for route in routes for index in route}
    missing = [model.manager.NodeToIndex(node) for node in model.node_stop
               if model.manager.NodeToIndex(node) not in present]
    missing.sort(key=lambda index: (model.time.CumulVar(index).Max(),
                                    model.time.CumulVar(index).Min()))
    for index in missing:
        if clock.perf_counter() > deadline:
            break
        candidates = []
        for vehicle in range(routing.vehicles()):
            if not routing.VehicleVar(index).Contains(vehicle):
                continue
            if clock.perf_counter() > deadline:  # a big day: keep the budget for the search
                break
            for position in range(len(routes[vehicle]) + 1):
                trial = routes[vehicle][:position] + [index] + routes[vehicle][position:]
                if _fits(model, vehicle, trial):
                    candidates.append((_added_cost(model, vehicle, routes[vehicle], position,
                                                   index), vehicle, position))
        for _, vehicle, position in sorted(candidates)[:CONFIRM]:
            if clock.perf_counter() > deadline:
                break
            trial = [list(route) for route in routes]
            trial[vehicle].insert(position, index)
            if routing.ReadAssignmentFromRoutes(trial, True) is not None:
                routes = trial
                break
    return routes


def _node(model: RouteModel, index: int) -> int:
    return model.manager.IndexToNode(index)


def _fits(model: RouteModel, vehicle: int, route: list[int]) -> bool:
    """Whether the run list keeps every time window, the shift and the break.

    The R19 break is taken on the first leg where it can start (it may fall
    during travel or waiting, never during a visit), as a conservative guess.
    """
    routing, time = model.routing, model.time
    pause = model.breaks.get(vehicle)
    pending = pause is not None
    t = time.CumulVar(routing.Start(vehicle)).Min()
    previous = model.base_node[vehicle]
    service = 0
    for index in [*route, routing.End(vehicle)]:
        node = _node(model, index)
        cumul = time.CumulVar(index)
        ready = t + service
        arrival = ready + model.travel[previous][node]
        if pending and pause is not None:
            begin = max(ready, pause.StartMin())
            if begin <= pause.StartMax():
                late = begin + pause.DurationMin() + model.travel[previous][node]
                if max(late, cumul.Min()) <= cumul.Max():
                    arrival, pending = late, False
        t = max(arrival, cumul.Min())
        if t > cumul.Max():
            return False
        if index != routing.End(vehicle):
            service = model.node_stop[node][0].duration
            previous = node
    return not pending


def _added_cost(model: RouteModel, vehicle: int, route: list[int], position: int,
                index: int) -> int:
    """Travel added by the detour (weighted) plus the stop's price for this person."""
    node = _node(model, index)
    before = model.base_node[vehicle] if position == 0 else _node(model, route[position - 1])
    after = model.base_node[vehicle] if position == len(route) else _node(model, route[position])
    detour = (model.travel[before][node] + model.travel[node][after]
              - model.travel[before][after])
    return model.problem.weights.travel * detour + model.node_costs[vehicle][node]

