"""CP-SAT solver settings shared by the roster planner and the benchmark adapter.

STYLE.md convention 7: the time limit and the random seed are always explicit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class SolveSettings:
    """How long and how to search: every solve states them.

    ``subsolvers`` names CP-SAT's full-problem workers; empty keeps CP-SAT's default
    portfolio. With 2 workers, one full worker plus interleaved large-neighbourhood
    search is what fits (benchmarks/README.md, "Orientation figures").
    """

    time_limit_s: float = 10.0
    seed: int = 1
    workers: int = 2
    subsolvers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time limit must be positive")
        if self.workers < 1:
            raise ValueError("at least one worker")


def make_solver(settings: SolveSettings) -> cp_model.CpSolver:
    """A CpSolver with the settings' time limit, seed and worker count."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = settings.time_limit_s
    params.random_seed = settings.seed
    params.num_workers = settings.workers
    params.subsolvers.extend(settings.subsolvers)
    return solver


STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


@dataclass
class Incumbent:
    """The best plan so far: every model variable's value and the objective it scores."""

    solution: list[int]
    objective: float


class Neighbourhood(Protocol):
    """Names the variables that stay free in the next step (every other decision
    variable is fixed), given the incumbent and a random source; ``adapt`` hears whether
    the step was solved to optimality within its time, so the size can follow."""

    def __call__(self, incumbent: Incumbent, rng: random.Random) -> Collection[int]: ...

    def adapt(self, solved: bool) -> None: ...


def solve_neighbourhood(model: cp_model.CpModel, incumbent: Incumbent, fixable: Sequence[int],
                        free: Collection[int], settings: SolveSettings,
                        ) -> tuple[int, Incumbent | None]:
    """Re-solve ``model`` with every variable of ``fixable`` outside ``free`` fixed to
    its incumbent value, hinting the whole incumbent (presolve on: it removes the fixed
    part quickly, and the step then often closes within its time). Returns the status
    and the plan found, if any (it may not be better)."""
    sub = cp_model.CpModel()
    sub.proto.copy_from(model.proto)
    variables = sub.proto.variables
    for index in fixable:
        if index not in free:
            value = incumbent.solution[index]
            domain = variables[index].domain  # [lo, hi] of a variable without holes
            domain[0] = domain[-1] = value
    sub.clear_hints()
    sub.proto.solution_hint.vars.extend(range(len(incumbent.solution)))
    sub.proto.solution_hint.values.extend(incumbent.solution)
    solver = make_solver(settings)
    status = solver.solve(sub)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None
    return status, Incumbent(list(solver.response_proto.solution), solver.objective_value)


@dataclass
class LnsReport:
    """What a large-neighbourhood search did: steps tried, steps that improved."""

    steps: int = 0
    improved: int = 0
    optimal_steps: int = 0


def large_neighbourhood_search(model: cp_model.CpModel, incumbent: Incumbent,
                               fixable: Sequence[int],
                               neighbourhoods: Sequence[Neighbourhood], deadline: float,
                               seed: int, workers: int = 2, step_s: float = 1.5,
                               polish: Callable[[Incumbent], Incumbent] | None = None,
                               ) -> tuple[Incumbent, LnsReport]:
    """Improve ``incumbent`` until ``deadline`` (``time.perf_counter`` seconds).

    Each step takes the next neighbourhood in turn, frees the variables it names, fixes
    the other ``fixable`` ones at the incumbent and lets CP-SAT re-plan exactly for at
    most ``step_s`` seconds; a strictly better plan replaces the incumbent. The result
    is never worse than ``incumbent`` and satisfies every constraint of ``model``
    (each step solves ``model`` itself, only with narrowed domains). ``polish``, if
    given, maps a found plan to an equally feasible one that may score better (e.g.
    slack variables at their tightest values) before it is compared.
    """
    rng = random.Random(seed)
    report = LnsReport()
    fixable = list(fixable)
    while time.perf_counter() + 0.2 < deadline:
        choose = neighbourhoods[report.steps % len(neighbourhoods)]
        report.steps += 1
        free = set(choose(incumbent, rng))
        limit = min(step_s, deadline - time.perf_counter())
        settings = SolveSettings(max(limit, 0.05), seed + report.steps, workers)
        status, found = solve_neighbourhood(model, incumbent, fixable, free, settings)
        report.optimal_steps += status == cp_model.OPTIMAL
        choose.adapt(status == cp_model.OPTIMAL)
        if found is not None and polish is not None:
            found = polish(found)
        if found is not None and found.objective < incumbent.objective - 1e-6:
            incumbent = found
            report.improved += 1
    return incumbent, report
