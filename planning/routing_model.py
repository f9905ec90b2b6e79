"""Build the OR-Tools routing model (pywrapcp) for one ``RoutingProblem``.

Nodes: one base node per caregiver (their run list starts and ends there), then
one node per stop (a double-staffed visit has two). Each constraint is posted by
a small function below; ``planning.routing`` searches and reads the answer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp

from planning.routing_eligibility import Eligibility, check_eligibility
from planning.routing_problem import (
    Caregiver,
    Location,
    RoutingProblem,
    StopKey,
    TimeWindow,
    VisitRequest,
    levels_above,
)
from planning.travel import TravelTimes

TIME = "Time"
LOAD = "Load"


@dataclass
class RouteModel:
    """The built model and the tables needed to read a solution back."""

    problem: RoutingProblem
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    travel: list[list[int]]  # minutes between nodes
    base_node: list[int]  # vehicle -> node of its base
    node_stop: dict[int, tuple[VisitRequest, int]]  # node -> (visit, slot)
    stop_node: dict[StopKey, int]
    node_costs: list[list[int]]  # vehicle -> node -> continuity+qualification+move cost
    eligibility: Eligibility
    breaks: dict[int, pywrapcp.IntervalVar] = field(default_factory=dict)

    def stop_index(self, key: StopKey) -> int:
        return self.manager.NodeToIndex(self.stop_node[key])


def stop_cost_parts(problem: RoutingProblem, caregiver: Caregiver, visit: VisitRequest,
                    slot: int) -> tuple[int, int, int]:
    """The (continuity, over-qualification, move) cost of ``caregiver`` serving a stop.

    The contact-person price sits on slot 0 only: the two slots of a
    double-staffed visit are interchangeable, so the planner can always give the
    contact person slot 0, and "by the contact person" means either of them.
    """
    w, who = problem.weights, caregiver.caregiver_id
    continuity = 0
    if visit.contact_person and slot == 0 and who != visit.contact_person:
        continuity += w.contact_person
    if visit.recent_caregivers and who not in visit.recent_caregivers \
            and who != visit.contact_person:
        continuity += w.recent
    gap = levels_above(caregiver.profession, visit.profession) or 0
    owner = problem.incumbent.get((visit.visit_id, slot))
    moved = w.move if owner is not None and owner != who else 0
    return continuity, gap * w.overqualification, moved


def _stops(problem: RoutingProblem, eligibility: Eligibility) -> list[tuple[VisitRequest, int]]:
    """The stops to route, in seed order (seed 0 keeps the input order)."""
    stops = [(visit, slot) for visit in problem.visits if visit.visit_id in eligibility.allowed
             for slot in visit.slots]
    if problem.seed:
        random.Random(problem.seed).shuffle(stops)
    return stops


def build_model(problem: RoutingProblem, travel_times: TravelTimes) -> RouteModel:
    """Build the routing model: nodes, costs, time windows, professions, pairs, breaks."""
    caregivers = problem.caregivers
    locations = [c.base for c in caregivers] + [v.location for v in problem.visits]
    full = travel_times.matrix(locations)
    eligibility = check_eligibility(problem, full)
    visit_row = {v.visit_id: len(caregivers) + i for i, v in enumerate(problem.visits)}
    stops = _stops(problem, eligibility)
    # one node per distinct base: many start nodes at one place confuse the search
    base_rows: dict[Location, int] = {}
    for row, caregiver in enumerate(caregivers):
        base_rows.setdefault(caregiver.base, row)
    base_node = [list(base_rows).index(c.base) for c in caregivers]
    rows = list(base_rows.values()) + [visit_row[v.visit_id] for v, _ in stops]
    travel = [[full[i][j] for j in rows] for i in rows]
    node_stop = {len(base_rows) + i: stop for i, stop in enumerate(stops)}
    stop_node = {(v.visit_id, slot): node for node, (v, slot) in node_stop.items()}

    manager = pywrapcp.RoutingIndexManager(len(rows), len(caregivers), base_node, base_node)
    routing = pywrapcp.RoutingModel(manager)
    node_costs = [[0] * len(rows) for _ in caregivers]
    for v, caregiver in enumerate(caregivers):
        for node, (visit, slot) in node_stop.items():
            node_costs[v][node] = sum(stop_cost_parts(problem, caregiver, visit, slot))
    time = add_time_dimension(problem, routing, travel, node_stop)
    model = RouteModel(problem, manager, routing, time, travel, base_node, node_stop,
                       stop_node, node_costs, eligibility)
    add_arc_costs(model)
    add_visits(model)
    add_double_staffing(model)
    add_capacity(model)
    add_breaks(model)
    return model


def add_arc_costs(model: RouteModel) -> None:
    """Travel plus the served stop's per-caregiver price, one matrix per price list."""
    weight = model.problem.weights.travel
    callbacks: dict[tuple[int, ...], int] = {}
    for v, costs in enumerate(model.node_costs):
        key = tuple(costs)
        if key not in callbacks:
            matrix = [[weight * t + costs[j] for j, t in enumerate(row)] for row in model.travel]
            callbacks[key] = model.routing.RegisterTransitMatrix(matrix)
        model.routing.SetArcCostEvaluatorOfVehicle(callbacks[key], v)


def add_time_dimension(problem: RoutingProblem, routing: pywrapcp.RoutingModel,
                       travel: list[list[int]],
                       node_stop: dict[int, tuple[VisitRequest, int]]) -> pywrapcp.RoutingDimension:
    """Time = service at the origin + travel; waiting allowed; shifts bound each run.

    Returns:
        the time dimension, whose cumul at a stop is the visit's start.
    """
    service = [0] * len(travel)
    for node, (visit, _) in node_stop.items():
        service[node] = visit.duration
    transit = [[service[i] + t for t in row] for i, row in enumerate(travel)]
    callback = routing.RegisterTransitMatrix(transit)
    horizon = max([c.shift.end for c in problem.caregivers]
                  + [v.window.end + v.duration for v in problem.visits] + [0]) + 1
    routing.AddDimension(callback, horizon, horizon, False, TIME)
    time = routing.GetDimensionOrDie(TIME)
    for v, caregiver in enumerate(problem.caregivers):
        time.CumulVar(routing.Start(v)).SetRange(caregiver.shift.start, caregiver.shift.end)
        time.CumulVar(routing.End(v)).SetRange(caregiver.shift.start, caregiver.shift.end)
    return time


def allow_vehicles(routing: pywrapcp.RoutingModel, index: int, vehicles: list[int]) -> None:
    """Only these vehicles (or none: dropped) may serve the stop at ``index``.

    ``SetAllowedVehiclesForIndex`` does not accept Python lists in OR-Tools 9.15,
    so the vehicle variable's domain is restricted directly.
    """
    if len(vehicles) < routing.vehicles():
        routing.VehicleVar(index).SetValues([-1, *vehicles])


def add_visits(model: RouteModel) -> None:
    """Hard windows, soft preferred start, who may serve, and the price of dropping.

    A pinned stop (already happened) gets its caregiver and start fixed and a
    hundredfold drop price; nothing else may start before ``not_before``. A kept
    stop (``incumbent_start``) is charged lateness only beyond its current start
    (soft lower bounds there too would make reading a start back take the whole
    time limit; ``planning.routing`` moves kept stops back to their times instead).
    """
    problem, routing = model.problem, model.routing
    weights = problem.weights
    vehicle_of = {c.caregiver_id: v for v, c in enumerate(problem.caregivers)}
    for node, (visit, slot) in model.node_stop.items():
        index = model.manager.NodeToIndex(node)
        pin = problem.fixed.get((visit.visit_id, slot))
        cumul = model.time.CumulVar(index)
        if pin is not None:
            cumul.SetRange(pin.start, pin.start)
            allow_vehicles(routing, index, [vehicle_of[pin.caregiver_id]])
            routing.AddDisjunction([index], 100 * weights.unassigned)
            continue
        earliest = max(visit.window.start, problem.not_before or visit.window.start)
        cumul.SetRange(earliest, visit.window.end)
        allowed = [vehicle_of[c] for c in model.eligibility.allowed[visit.visit_id]]
        allow_vehicles(routing, index, allowed)
        promised = weights.drop_planned if (visit.visit_id, slot) in problem.incumbent else 0
        routing.AddDisjunction([index], weights.unassigned + promised)
        kept = problem.incumbent_start.get((visit.visit_id, slot))
        if visit.preferred is not None and slot == 0 and weights.lateness:
            late_from = visit.preferred + weights.lateness_tolerance
            # a kept stop is charged only for starting later than it does now
            model.time.SetCumulVarSoftUpperBound(
                index, late_from if kept is None else max(late_from, kept), weights.lateness)
        elif kept is not None and weights.lateness:  # no preferred start: its current one
            model.time.SetCumulVarSoftUpperBound(index, kept, weights.lateness)


def add_double_staffing(model: RouteModel) -> None:
    """Dobbeltbemanding: the two stops start together and are served by different people.

    "Both or neither" is not posted here: the local search inserts one stop at a
    time, and an equality on the active variables would forbid every single
    insertion. Each stop carries its own drop price instead, so serving both is
    always cheaper, and ``planning.routing`` drops a stop left alone.
    """
    solver, routing = model.routing.solver(), model.routing
    for visit in model.problem.visits:
        if not visit.double_staffed or (visit.visit_id, 1) not in model.stop_node:
            continue
        first, second = model.stop_index((visit.visit_id, 0)), model.stop_index((visit.visit_id, 1))
        solver.Add(model.time.CumulVar(first) == model.time.CumulVar(second))
        solver.Add(solver.AllDifferentExcept(
            [routing.VehicleVar(first), routing.VehicleVar(second)], -1))


def add_capacity(model: RouteModel) -> None:
    """A generic load dimension, only when some visit has a load (Solomon demand)."""
    loads = [0] * len(model.travel)
    for node, (visit, _) in model.node_stop.items():
        loads[node] = visit.load
    if not any(loads):
        return
    callback = model.routing.RegisterUnaryTransitVector(loads)
    unlimited = sum(loads)
    capacities = [c.capacity if c.capacity is not None else unlimited
                  for c in model.problem.caregivers]
    model.routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, LOAD)


def add_breaks(model: RouteModel) -> None:
    """R19 pause: one fixed-length break inside its window for a shift over 6 h.

    The break may fall during travel or waiting, never during a visit.
    """
    rule = model.problem.break_rule
    if rule is None:
        return
    service = [0] * model.routing.Size()
    for index in range(model.routing.Size()):
        stop = model.node_stop.get(model.manager.IndexToNode(index))
        service[index] = stop[0].duration if stop else 0
    for v, caregiver in enumerate(model.problem.caregivers):
        window: TimeWindow | None = rule.window(caregiver)
        if window is None:
            continue
        interval = model.routing.solver().FixedDurationIntervalVar(
            window.start, window.end, rule.minutes, False, f"break {caregiver.caregiver_id}")
        model.time.SetBreakIntervalsOfVehicle([interval], v, service)
        model.breaks[v] = interval
