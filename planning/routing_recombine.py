"""Route recombination: the cheapest plan made of run lists that several searches found.

On days with wide time windows (few long run lists) the iterated local search
stalls after a few seconds: every move that pays needs several runs changed at
once. So ``planning.routing`` spends the time on a few shorter searches from
differently ordered starts (the search profile's ``restarts``), and every run
list any of them meets is kept here, in a pool. A set-partitioning model then
picks the cheapest set of pooled runs that serves every stop at most once —
runs from different searches combined — and the last search starts from that
plan (the ILS-SP idea of Subramanian, Uchoa and Ochi, "A hybrid algorithm for a
class of vehicle routing problems", Computers & Operations Research 40(10), 2013).
The set-partitioning model is a small MIP solved by the SCIP bundled with
OR-Tools.

This is sound only where a run's cost and feasibility are its own: no
double-staffed visits (two runs tied by one start time), no soft preferred
times (a stop's price would depend on its run's timing), and no replanning
(pinned stops, kept starts). ``applies`` says whether a problem is such a day.
A run found for one caregiver is offered to the caregivers identical to them
(same shift, base, profession, capacity, break and prices), only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ortools.constraint_solver import pywrapcp
from ortools.linear_solver import pywraplp

from planning.routing_model import RouteModel
from planning.routing_problem import RoutingProblem, StopKey

log = logging.getLogger(__name__)

#: The MIP solver (bundled with OR-Tools); recombination is skipped without it.
SOLVER = "SCIP"

Run = tuple[StopKey, ...]


#: The shortest search worth a round: shorter ones barely finish their first plan.
MIN_ROUND_S = 1.5


def applies(problem: RoutingProblem) -> bool:
    """Whether ``problem`` is a day whose runs may be recombined (see the module doc)
    with time for at least two searches."""
    return (len(rounds(problem)) > 1
            and not any(v.double_staffed for v in problem.visits)
            and not (problem.weights.lateness
                     and any(v.preferred is not None for v in problem.visits))
            and not (problem.fixed or problem.incumbent or problem.incumbent_start
                     or problem.initial_routes or problem.not_before is not None))


@dataclass
class RoutePool:
    """Every run list the searches met, per kind of caregiver."""

    problem: RoutingProblem
    runs: dict[int, set[Run]] = field(default_factory=dict)  # kind -> runs
    kinds: list[int] = field(default_factory=list)  # vehicle -> kind (first such vehicle)

    def watch(self, model: RouteModel) -> None:
        """Record the runs of every solution ``model``'s search reaches."""
        if not self.kinds:
            self.kinds = _kinds(model)
        model.routing.AddAtSolutionCallback(
            lambda: self.add(runs_of(model, lambda var: var.Value())))

    def add(self, runs: Sequence[Run]) -> None:
        """Record one plan's runs (``runs_of``: each vehicle's, in vehicle order)."""
        for vehicle, run in enumerate(runs):
            if run:
                self.runs.setdefault(self.kinds[vehicle], set()).add(run)

    def combine(self, model: RouteModel, time_limit_s: float
                ) -> tuple[int, dict[str, Run]] | None:
        """The cheapest plan of pooled runs in ``model``'s prices: (cost, runs by caregiver).

        The cost counts travel, per-stop prices and dropped stops as the routing
        model does. None when no MIP solver is at hand or it found nothing.
        """
        solver = pywraplp.Solver.CreateSolver(SOLVER)
        if solver is None:
            log.warning("no %s solver in this OR-Tools: runs are not recombined", SOLVER)
            return None
        solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
        problem, known = self.problem, model.stop_node
        columns: list[tuple[int, Run, int]] = []  # (kind, run, cost)
        for kind, runs in self.runs.items():
            for run in runs:
                if all(key in known for key in run):
                    columns.append((kind, run, _cost(model, kind, run)))
        chosen = [solver.BoolVar(f"r{n}") for n in range(len(columns))]
        dropped = {key: solver.BoolVar(f"d{n}") for n, key in enumerate(known)}
        covering: dict[StopKey, list[pywraplp.Variable]] = {key: [] for key in known}
        by_kind: dict[int, list[pywraplp.Variable]] = {}
        for variable, (kind, run, _) in zip(chosen, columns, strict=True):
            by_kind.setdefault(kind, []).append(variable)
            for key in run:
                covering[key].append(variable)
        for key, variables in covering.items():
            solver.Add(solver.Sum(variables) + dropped[key] == 1)
        for kind, variables in by_kind.items():
            solver.Add(solver.Sum(variables) <= self.kinds.count(kind))
        penalty = problem.weights.unassigned
        solver.Minimize(solver.Sum([cost * v for v, (_, _, cost) in zip(chosen, columns,
                                                                             strict=True)])
                        + solver.Sum([penalty * d for d in dropped.values()]))
        status = solver.Solve()
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        free = {kind: [v for v, k in enumerate(self.kinds) if k == kind] for kind in by_kind}
        plan: dict[str, Run] = {}
        for variable, (kind, run, _) in zip(chosen, columns, strict=True):
            if variable.solution_value() > 0.5:
                vehicle = free[kind].pop()
                plan[problem.caregivers[vehicle].caregiver_id] = run
        return round(solver.Objective().Value()), plan


def runs_of(model: RouteModel, value: Callable[[pywrapcp.IntVar], int]) -> list[Run]:
    """Each vehicle's run, as stop keys, in a solution read through ``value`` (an
    ``Assignment``'s ``Value``, or a variable's own ``Value()`` during the search)."""
    routing, manager, node_stop = model.routing, model.manager, model.node_stop
    runs = []
    for v in range(routing.vehicles()):
        index = value(routing.NextVar(routing.Start(v)))
        run = []
        while not routing.IsEnd(index):
            visit, slot = node_stop[manager.IndexToNode(index)]
            run.append((visit.visit_id, slot))
            index = value(routing.NextVar(index))
        runs.append(tuple(run))
    return runs


def _cost(model: RouteModel, vehicle: int, run: Run) -> int:
    """A run's arc costs for ``vehicle`` (travel and per-stop prices), as the model counts
    them (``planning.routing_model.add_arc_costs``)."""
    weight, travel, prices = model.problem.weights.travel, model.travel, model.node_costs[vehicle]
    previous = base = model.base_node[vehicle]
    cost = 0
    for key in run:
        node = model.stop_node[key]
        cost += weight * travel[previous][node] + prices[node]
        previous = node
    return cost + weight * travel[previous][base]


def _kinds(model: RouteModel) -> list[int]:
    """Each vehicle's kind: the first vehicle identical to it (shift, prices, capacity…)."""
    seen: dict[tuple[object, ...], int] = {}
    kinds = []
    for v, caregiver in enumerate(model.problem.caregivers):
        prices = tuple(model.node_costs[v][model.stop_node[key]]
                       for key in sorted(model.stop_node))
        key = (replace(caregiver, caregiver_id=""), prices)
        kinds.append(seen.setdefault(key, v))
    return kinds


def rounds(problem: RoutingProblem) -> Sequence[int]:
    """The seeds of the searches, the problem's own first: the profile's ``restarts``,
    fewer when the time limit leaves less than ``MIN_ROUND_S`` per search."""
    count = min(problem.search_profile.restarts, int(problem.time_limit_s // MIN_ROUND_S))
    return [problem.seed + 7919 * n for n in range(max(1, count))]
