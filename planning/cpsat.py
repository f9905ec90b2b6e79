"""CP-SAT solver settings shared by the roster planner and the benchmark adapter.

STYLE.md convention 7: the time limit and the random seed are always explicit.
"""

from __future__ import annotations

from dataclasses import dataclass

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
