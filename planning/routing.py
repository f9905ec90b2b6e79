"""The route planner: ``plan_routes(problem) -> RouteProposal``.

A pure pipeline (STYLE.md convention 6): problem -> ``build_model`` -> search
with an explicit time limit -> read the run lists back and explain them
(objective parts, unassigned with reasons, continuity). It never touches the
event store; the application records an accepted proposal as events.
"""

from __future__ import annotations

import logging
import time as clock
from collections import defaultdict
from dataclasses import replace

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_ils_pb2
from ortools.util import optional_boolean_pb2

from planning import routing_recombine as recombine
from planning.routing_insert import complete_routes
from planning.routing_model import RouteModel, build_model, stop_cost_parts
from planning.routing_problem import RoutingProblem, StopKey, VisitRequest
from planning.routing_proposal import (
    Continuity,
    ObjectiveParts,
    RouteProposal,
    RunList,
    Stop,
    Unassigned,
    UnassignedReason,
)
from planning.travel import HaversineTravelTimes, TravelTimes

ITERATED_LOCAL_SEARCH = "ITERATED_LOCAL_SEARCH"
ILS_OPERATORS_OFF = (
    "use_global_cheapest_insertion_path_lns", "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns", "use_local_cheapest_insertion_visit_types_lns",
    "use_shortest_path_swap_active", "use_shortest_path_two_opt", "use_swap_active_chain",
    "use_make_chain_inactive")
STATUS = {value: name for name, value in routing_enums_pb2.RoutingSearchStatus.Value.items()}
TIMED_OUT = routing_enums_pb2.RoutingSearchStatus.ROUTING_FAIL_TIMEOUT
NOT_SOLVED = routing_enums_pb2.RoutingSearchStatus.ROUTING_NOT_SOLVED
#: Seconds a first plan may take when the search found none within its limit.
RESCUE_S = 10.0
#: Seconds the set-partitioning model of the pooled runs may take (it needs < 0.5 s
#: for 100 stops and a few thousand runs), and at most this share of the time limit.
RECOMBINE_S = 1.0
RECOMBINE_SHARE = 0.06
log = logging.getLogger(__name__)


def plan_routes(problem: RoutingProblem, travel_times: TravelTimes | None = None) -> RouteProposal:
    """Propose the day's run lists (kørelister) for one team.

    Args:
        problem: visits, caregivers on shift, weights, time limit and seed.
        travel_times: the travel-time provider; the network-free default if None.

    Returns:
        the best plan found within the time limit, explained.
    """
    started = clock.perf_counter()
    if not problem.caregivers:  # OR-Tools' routing model crashes the process with no vehicles
        return _nobody_on_shift(problem, clock.perf_counter() - started)
    travel_times = travel_times or HaversineTravelTimes()
    if recombine.applies(problem):
        model, solution, code = _solve_in_rounds(problem, travel_times, started)
    else:
        model = build_model(problem, travel_times)
        solution = _solve(model, search_parameters(problem, _mean_arc_cost(model)))
        code = model.routing.status()
    if (solution is None and code == TIMED_OUT) or (
            solution is not None and _starved(model, solution)):
        solution = _first_plan(model) or solution
        code = model.routing.status()
    if solution is not None and code == NOT_SOLVED:  # how OR-Tools' ILS reports a plan
        code = routing_enums_pb2.RoutingSearchStatus.ROUTING_SUCCESS
    wall = clock.perf_counter() - started
    status = STATUS.get(code, str(code))
    if solution is None:
        return _empty_proposal(model, status, wall)
    proposal = read_proposal(model, solution, status, wall)
    if model.problem is not problem:  # read in the last round's model (recombination)
        proposal = replace(proposal, seed=problem.seed, time_limit_s=problem.time_limit_s)
    return proposal


def _solve_in_rounds(problem: RoutingProblem, travel_times: TravelTimes, started: float
                     ) -> tuple[RouteModel, pywrapcp.Assignment | None, int]:
    """Several searches from differently ordered starts, their runs recombined.

    The time limit is shared out evenly. After the second search and after each
    later one, the cheapest plan made of every run met so far is worked out
    (``planning.routing_recombine``). (A search started from that plan would
    only descend to the nearest local optimum: OR-Tools' iterated local search
    starts from its own first solution.) Returns the last search's model and
    the best plan, read into that model, and the search status to report.
    """
    pool = recombine.RoutePool(problem)
    seeds = recombine.rounds(problem)
    deadline = started + problem.time_limit_s
    reserve = min(RECOMBINE_S, RECOMBINE_SHARE * problem.time_limit_s)  # per recombination
    best: tuple[int, dict[str, tuple[StopKey, ...]]] | None = None
    model: RouteModel | None = None
    solution: pywrapcp.Assignment | None = None
    code = TIMED_OUT
    for n, seed in enumerate(seeds):
        remaining = len(seeds) - n
        combines = remaining if n >= 1 else remaining - 1  # still to come, this round's too
        left = deadline - clock.perf_counter()
        share = max(0.05, (left - reserve * combines) / remaining)
        round_problem = replace(problem, seed=seed, time_limit_s=share)
        model = build_model(round_problem, travel_times)
        pool.watch(model)
        solution = _solve(model, search_parameters(round_problem, _mean_arc_cost(model)))
        code = model.routing.status()
        if solution is None:
            continue
        runs = recombine.runs_of(model, solution.Value)
        pool.add(runs)
        found = round(solution.ObjectiveValue())
        if best is None or found < best[0]:
            best = (found, {c.caregiver_id: run for c, run in zip(problem.caregivers, runs,
                                                                  strict=True)})
        if n >= 1:
            limit = min(reserve, max(0.1, deadline - clock.perf_counter()))
            combined = pool.combine(model, limit)
            if combined is not None and combined[0] < best[0]:
                best = combined
    assert model is not None  # at least one round
    if best is not None and (solution is None or best[0] < round(solution.ObjectiveValue())):
        # read into a fresh model: the last one's search limit has run out
        final = build_model(problem, travel_times)
        final.routing.CloseModelWithParameters(search_parameters(
            replace(problem, time_limit_s=max(1.0, problem.time_limit_s))))
        runs = [[final.stop_index(key) for key in best[1].get(c.caregiver_id, ())]
                for c in problem.caregivers]
        read = final.routing.ReadAssignmentFromRoutes(runs, True)
        if read is not None:
            return final, read, code
        log.warning("the recombined plan did not read back; keeping the last search's")
    return model, solution, code


def _starved(model: RouteModel, solution: pywrapcp.Assignment) -> bool:
    """The search stopped on the empty plan that leaves every visit unplanned.

    OR-Tools answers with it when the time limit ends before the first-solution
    heuristic has inserted a single stop (a starved process on a busy machine).
    """
    routing = model.routing
    if not any(model.eligibility.allowed.values()):
        return False
    return all(routing.IsEnd(solution.Value(routing.NextVar(routing.Start(v))))
               for v in range(routing.vehicles()))


def _first_plan(model: RouteModel) -> pywrapcp.Assignment | None:
    """A first plan when the search found none within the time limit.

    The limit is wall-clock time: on a busy machine a starved process can run out of
    it before the first-solution heuristic has finished, and would answer with every
    visit unplanned. Instead, the heuristic and a greedy descent get ``RESCUE_S`` (or
    twice the limit) of their own: a later plan beats no plan.
    """
    problem = model.problem
    params = search_parameters(problem)
    params.use_iterated_local_search = False
    params.local_search_metaheuristic = \
        routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    params.time_limit.FromMilliseconds(int(max(RESCUE_S, 2 * problem.time_limit_s) * 1000))
    log.warning("no route plan within %.3g s (a busy machine?): searching for a first one",
                problem.time_limit_s)
    return model.routing.SolveWithParameters(params)


def search_parameters(problem: RoutingProblem,
                      mean_arc_cost: float = 100.0) -> pywrapcp.DefaultRoutingSearchParameters:
    """First-solution strategy + metaheuristic, explicit time limit and seed.

    ``ITERATED_LOCAL_SEARCH`` means ruin-and-recreate with SISR string removals
    (Christiaens & Vanden Berghe 2020), OR-Tools' iterated local search, with a
    simulated-annealing acceptance cooling over the time limit; the problem's
    ``search_profile`` sets the ruin sizes, the temperatures (in mean arc
    costs) and how many runs the first solution opens with far stops.
    """
    profile = problem.search_profile
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.Value.Value(
        problem.first_solution)
    params.global_cheapest_insertion_first_solution_parameters.farthest_seeds_ratio = \
        profile.farthest_seeds_ratio
    if problem.metaheuristic == ITERATED_LOCAL_SEARCH:
        params.use_iterated_local_search = True
        ruin = params.iterated_local_search_parameters.ruin_recreate_parameters
        for visits, string in ((profile.ruin_visits, profile.ruin_string),
                               (profile.wide_ruin_visits, profile.wide_ruin_string)):
            if visits:
                sisr = ruin.ruin_strategies.add().sisr
                sisr.max_removed_sequence_size = string
                sisr.avg_num_removed_visits = visits
                sisr.bypass_factor = 0.01
        if len(ruin.ruin_strategies) > 1:  # each iteration ruins with one of them
            ruin.ruin_composition_strategy = \
                routing_ils_pb2.RuinCompositionStrategy.RUN_ONE_RANDOMLY
        annealing = params.iterated_local_search_parameters \
            .reference_solution_acceptance_strategy.simulated_annealing
        annealing.initial_temperature = profile.start_temperature * mean_arc_cost
        annealing.final_temperature = profile.end_temperature * mean_arc_cost
        for operator in ILS_OPERATORS_OFF:  # ruin and recreate reinserts dropped stops
            setattr(params.local_search_operators, operator, optional_boolean_pb2.BOOL_FALSE)
    else:
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.Value.Value(
            problem.metaheuristic)
    params.time_limit.FromMilliseconds(int(problem.time_limit_s * 1000))
    params.sat_parameters.random_seed = problem.seed
    return params


def _mean_arc_cost(model: RouteModel) -> float:
    """The mean travel cost of an arc, the scale for annealing temperatures."""
    size = len(model.travel)
    total = sum(sum(row) for row in model.travel)
    return max(1.0, model.problem.weights.travel * total / max(1, size * (size - 1)))


def _solve(model: RouteModel,
           params: pywrapcp.DefaultRoutingSearchParameters) -> pywrapcp.Assignment | None:
    """Search from the warm start when one is given and valid, otherwise from scratch.

    Stops missing from the warm start (a sick colleague's) are first inserted
    where they fit (``planning.routing_insert``).
    """
    routing, problem = model.routing, model.problem
    if problem.initial_routes:
        routing.CloseModelWithParameters(params)
        vehicle_of = {c.caregiver_id: v for v, c in enumerate(problem.caregivers)}
        routes: list[list[int]] = [[] for _ in problem.caregivers]
        for caregiver_id, keys in problem.initial_routes.items():
            routes[vehicle_of[caregiver_id]] = [model.stop_index(k) for k in keys
                                                if k in model.stop_node]
        deadline = clock.perf_counter() + problem.time_limit_s  # one limit in all
        completed = complete_routes(model, routes)
        tries = [completed, routes] if completed != routes else [routes]
        for attempt in tries:  # the completed start may not hold: the start as given
            start = routing.ReadAssignmentFromRoutes(attempt, True)
            if start is None:
                continue
            # the search from the start gets at least half the limit, or it may
            # not even finish reading the start back on a busy machine
            left = max(problem.time_limit_s / 2, deadline - clock.perf_counter())
            params.time_limit.FromMilliseconds(int(left * 1000))
            solution = routing.SolveFromAssignmentWithParameters(start, params)
            if solution is not None:
                return solution
    if params.use_iterated_local_search:
        return routing.SolveWithIteratedLocalSearch(params)
    return routing.SolveWithParameters(params)


def read_proposal(model: RouteModel, solution: pywrapcp.Assignment, status: str,
                  wall: float) -> RouteProposal:
    """Read run lists, unassigned visits, objective parts and continuity from a solution."""
    problem = model.problem
    break_of = {interval.Name(): v for v, interval in model.breaks.items()}
    break_start: dict[int, int] = {}
    intervals = solution.IntervalVarContainer()
    for i in range(intervals.Size()):
        element = intervals.Element(i)
        if element.Var().Name() in break_of and element.PerformedValue():
            break_start[break_of[element.Var().Name()]] = element.StartValue()
    sequences = [_route_nodes(model, solution, v) for v in range(len(problem.caregivers))]
    slots_served: dict[str, int] = defaultdict(int)
    for sequence in sequences:
        for node, _ in sequence:
            slots_served[model.node_stop[node][0].visit_id] += 1
    lone = {visit.visit_id for visit in problem.visits
            if visit.double_staffed and slots_served.get(visit.visit_id) == 1}
    if problem.incumbent_start:
        sequences = [_keep_times(model, v, sequence, break_start.get(v))
                     for v, sequence in enumerate(sequences)]
    run_lists = tuple(_run_list(model, v, [(n, t) for n, t in sequence
                                           if model.node_stop[n][0].visit_id not in lone],
                                break_start.get(v))
                      for v, sequence in enumerate(sequences))
    dropped = []
    for visit in problem.visits:
        if visit.visit_id in lone:
            dropped.append(Unassigned(visit.visit_id, visit.citizen_id,
                                      UnassignedReason.NO_CAPACITY,
                                      "double-staffed; no second person free at the same time"))
        elif visit.visit_id in model.eligibility.allowed and visit.visit_id not in slots_served:
            dropped.append(Unassigned(
                visit.visit_id, visit.citizen_id, UnassignedReason.NO_CAPACITY,
                "qualified people in the window are fully booked: "
                + ", ".join(model.eligibility.allowed[visit.visit_id])))
    unassigned = model.eligibility.unassigned + tuple(dropped)
    return RouteProposal(
        run_lists=run_lists, unassigned=unassigned,
        objective=objective_parts(problem, run_lists, unassigned),
        continuity=continuity(problem, run_lists), status=status,
        proven_optimal=status == "ROUTING_OPTIMAL", wall_s=wall, seed=problem.seed,
        time_limit_s=problem.time_limit_s)


def _keep_times(model: RouteModel, vehicle: int, sequence: list[tuple[int, int]],
                break_start: int | None) -> list[tuple[int, int]]:
    """Move kept stops back toward their current start where the run list allows.

    The search reads the earliest start of every stop; a replanning should not
    move a kept visit earlier for no reason. Walking back from the last stop,
    each kept stop starts at its current start, or as late toward it as the
    next stop, the break, its window and the shift allow (never earlier than
    found). Pinned and double-staffed stops stay as found.
    """
    problem = model.problem
    caregiver = problem.caregivers[vehicle]
    pause = problem.break_rule.minutes if problem.break_rule is not None else 0
    out = list(sequence)
    base = model.base_node[vehicle]
    next_node, next_start = base, caregiver.shift.end
    for i in range(len(out) - 1, -1, -1):
        node, start = out[i]
        visit, slot = model.node_stop[node]
        kept = problem.incumbent_start.get((visit.visit_id, slot))
        if kept is not None and kept > start and not visit.double_staffed \
                and (visit.visit_id, slot) not in problem.fixed:
            latest = next_start - model.travel[node][next_node] - visit.duration
            if break_start is not None and start + visit.duration <= break_start < next_start:
                latest = min(latest, break_start - visit.duration,
                             next_start - model.travel[node][next_node] - pause - visit.duration)
            latest = min(latest, model.time.CumulVar(model.manager.NodeToIndex(node)).Max())
            start = max(start, min(kept, latest))
            out[i] = (node, start)
        next_node, next_start = node, start
    return out


def _route_nodes(model: RouteModel, solution: pywrapcp.Assignment,
                 vehicle: int) -> list[tuple[int, int]]:
    """The (node, start) pairs served by one vehicle, in order."""
    routing, sequence = model.routing, []
    index = solution.Value(routing.NextVar(routing.Start(vehicle)))
    while not routing.IsEnd(index):
        sequence.append((model.manager.IndexToNode(index),
                         solution.Min(model.time.CumulVar(index))))
        index = solution.Value(routing.NextVar(index))
    return sequence


def _run_list(model: RouteModel, vehicle: int, sequence: list[tuple[int, int]],
              break_start: int | None) -> RunList:
    """One run list from its (node, start) sequence; arrival assumes leaving right away."""
    caregiver = model.problem.caregivers[vehicle]
    stops: list[Stop] = []
    previous, ready = model.base_node[vehicle], 0
    for node, start in sequence:
        visit, slot = model.node_stop[node]
        travel = model.travel[previous][node]
        arrival = start if not stops else min(start, ready + travel)
        stops.append(Stop(visit.visit_id, visit.citizen_id, slot, arrival, start,
                          start + visit.duration, travel))
        previous, ready = node, start + visit.duration
    if not stops:
        return RunList(caregiver.caregiver_id, (), caregiver.shift.start, caregiver.shift.start,
                       0, break_start, _break_minutes(model, break_start))
    home = model.travel[previous][model.base_node[vehicle]]
    return RunList(caregiver.caregiver_id, tuple(stops),
                   stops[0].start - stops[0].travel_minutes, ready + home,
                   sum(s.travel_minutes for s in stops) + home, break_start,
                   _break_minutes(model, break_start))


def _break_minutes(model: RouteModel, break_start: int | None) -> int:
    rule = model.problem.break_rule
    return rule.minutes if rule is not None and break_start is not None else 0


def _empty_proposal(model: RouteModel, status: str, wall: float) -> RouteProposal:
    """No solution at all: every visit unassigned (should not happen with disjunctions)."""
    problem = model.problem
    dropped = tuple(Unassigned(v.visit_id, v.citizen_id, UnassignedReason.NO_CAPACITY,
                               f"the search found no plan ({status})")
                    for v in problem.visits if v.visit_id in model.eligibility.allowed)
    runs = tuple(RunList(c.caregiver_id, (), c.shift.start, c.shift.start, 0)
                 for c in problem.caregivers)
    unassigned = model.eligibility.unassigned + dropped
    return RouteProposal(runs, unassigned, objective_parts(problem, runs, unassigned),
                         continuity(problem, runs), status, False, wall, problem.seed,
                         problem.time_limit_s)


def _nobody_on_shift(problem: RoutingProblem, wall: float) -> RouteProposal:
    """No one on shift: every visit is unassigned, for that reason, without a search."""
    unassigned = tuple(Unassigned(v.visit_id, v.citizen_id,
                                  UnassignedReason.NO_QUALIFIED_PERSON_IN_WINDOW,
                                  "nobody is on shift that day") for v in problem.visits)
    return RouteProposal((), unassigned, objective_parts(problem, (), unassigned),
                         continuity(problem, ()), "NOBODY_ON_SHIFT", False, wall, problem.seed,
                         problem.time_limit_s)


def objective_parts(problem: RoutingProblem, runs: tuple[RunList, ...],
                    unassigned: tuple[Unassigned, ...]) -> ObjectiveParts:
    """Recompute the objective term by term from the run lists themselves."""
    w = problem.weights
    people = {c.caregiver_id: c for c in problem.caregivers}
    visits = {v.visit_id: v for v in problem.visits}
    travel = sum(run.travel_minutes for run in runs)
    late = continuity_cost = qualification = moved = 0
    for run in runs:
        for stop in run.stops:
            visit = visits[stop.visit_id]
            if stop.slot == 0 and visit.preferred is not None and stop.key not in problem.fixed:
                late += max(0, stop.start - visit.preferred - w.lateness_tolerance)
            parts = stop_cost_parts(problem, people[run.caregiver_id], visit, stop.slot)
            continuity_cost += parts[0]
            qualification += parts[1]
            moved += parts[2]
    dropped_stops = sum(len(visits[u.visit_id].slots) for u in unassigned
                        if u.visit_id in visits)
    promised = sum(1 for u in unassigned if u.visit_id in visits
                   for slot in visits[u.visit_id].slots
                   if (u.visit_id, slot) in problem.incumbent)
    return ObjectiveParts(travel, w.travel * travel, late, w.lateness * late, continuity_cost,
                          qualification, moved,
                          w.unassigned * dropped_stops + w.drop_planned * promised)


def continuity(problem: RoutingProblem, runs: tuple[RunList, ...]) -> Continuity:
    """Distinct staff per citizen today, and shares by contact person / recent set."""
    staff_of_visit: dict[str, set[str]] = defaultdict(set)
    for run in runs:
        for stop in run.stops:
            staff_of_visit[stop.visit_id].add(run.caregiver_id)
    visits: dict[str, VisitRequest] = {v.visit_id: v for v in problem.visits}
    staff_of_citizen: dict[str, set[str]] = defaultdict(set)
    contact = [0, 0]  # by contact person, visits with a contact person
    recent = [0, 0]  # all staff within the recent set (or contact), visits with a recent set
    for visit_id, staff in staff_of_visit.items():
        visit = visits[visit_id]
        staff_of_citizen[visit.citizen_id] |= staff
        if visit.contact_person:
            contact[1] += 1
            contact[0] += visit.contact_person in staff
        if visit.recent_caregivers:
            recent[1] += 1
            known = visit.recent_caregivers | {visit.contact_person or ""}
            recent[0] += staff <= known
    distinct = {citizen: len(staff) for citizen, staff in sorted(staff_of_citizen.items())}
    mean = sum(distinct.values()) / len(distinct) if distinct else 0.0
    return Continuity(distinct, round(mean, 3),
                      round(contact[0] / contact[1], 3) if contact[1] else None,
                      round(recent[0] / recent[1], 3) if recent[1] else None)
