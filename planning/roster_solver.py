"""Propose a roster: build the CP-SAT model, solve with an explicit time limit and seed,
verify the plan with the rule checker, and explain what was not met.

``propose(problem)`` returns a ``RosterProposal`` — or a ``RosterInfeasible`` naming, in
Danish, the rules, people and days that cannot all hold (issue 3 items 4–6).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from planning.checker import CheckResult, check
from planning.cpsat import STATUS_NAMES, SolveSettings, make_solver
from planning.model import Shift
from planning.roster_explain import Conflict, explain_infeasible, unmet_bids
from planning.roster_model import RosterModel
from planning.roster_objective import post_objective
from planning.roster_problem import Bid, RosterProblem

PARTS = ("uncovered", "soft_rules", "moved", "bids", "fairness", "continuity", "costs")


class RosterModelError(AssertionError):
    """The model produced a plan the checker rejects: a rule posts differently than it
    checks. Never expected; raised instead of returning a plan that breaks a hard rule."""


@dataclass(frozen=True)
class UnmetBid:
    """A bid the proposal does not honour, and why (Danish)."""

    bid: Bid
    reason: str


@dataclass(frozen=True)
class RosterProposal:
    """The planner's best roster, its objective split into parts, and its checker verdict."""

    shifts: tuple[Shift, ...]
    objective: int
    objective_parts: dict[str, int]
    bound: float
    status: str
    proven_optimal: bool
    wall_time_s: float
    unmet_bids: tuple[UnmetBid, ...]
    uncovered: tuple[tuple[date, str, int], ...]
    moved: int
    check: CheckResult
    seed: int
    time_limit_s: float

    def __post_init__(self) -> None:
        if self.check.hard:
            raise RosterModelError("a proposal may not break a hard rule")
        if self.wall_time_s < 0:
            raise ValueError("negative wall time")

    @property
    def feasible(self) -> bool:
        return True


@dataclass(frozen=True)
class RosterInfeasible:
    """No plan satisfies the hard rules (or none was found in time): what conflicts."""

    status: str  # INFEASIBLE or UNKNOWN (no plan found within the time limit)
    message: str  # Danish, for the planner
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)
    wall_time_s: float = 0.0

    @property
    def feasible(self) -> bool:
        return False

    @property
    def rules(self) -> set[str]:
        return {c.rule for c in self.conflicts}

    @property
    def employees(self) -> set[str]:
        return {c.employee for c in self.conflicts if c.employee}

    @property
    def days(self) -> set[date]:
        return {d for c in self.conflicts for d in c.dates}


def propose(problem: RosterProblem) -> RosterProposal | RosterInfeasible:
    """Solve the roster problem within ``problem.time_limit_s`` using ``problem.seed``."""
    started = time.perf_counter()
    rules = problem.rules()
    built = RosterModel(problem, rules)
    post_objective(built)
    left = max(problem.time_limit_s - (time.perf_counter() - started), 0.5)  # build counts
    solver = make_solver(SolveSettings(left, problem.seed, problem.workers))
    status = solver.solve(built.model)
    if status == cp_model.INFEASIBLE:
        remaining = max(problem.time_limit_s - (time.perf_counter() - started), 2.0)
        message, conflicts = explain_infeasible(problem, rules, remaining)
        return RosterInfeasible("INFEASIBLE", message, conflicts,
                                time.perf_counter() - started)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RosterInfeasible(
            STATUS_NAMES[status],
            f"Der blev ikke fundet nogen vagtplan inden for {problem.time_limit_s:g} sekunder. "
            "Giv planlæggeren mere tid, eller løsn nogle af kravene.",
            (), time.perf_counter() - started)
    shifts = built.shifts(solver)
    verdict = check(problem.plan(shifts), rules)
    if verdict.hard:
        first = verdict.hard[0]
        raise RosterModelError(f"{first.rule} posted differently than checked: {first.detail}")
    parts = {part: 0 for part in PARTS}
    for term in built.terms:
        parts[term.part] += term.coefficient * _value(solver, term.expr)
    return RosterProposal(
        shifts=shifts, objective=round(solver.objective_value), objective_parts=parts,
        bound=solver.best_objective_bound, status=STATUS_NAMES[status],
        proven_optimal=status == cp_model.OPTIMAL,
        wall_time_s=time.perf_counter() - started,
        unmet_bids=tuple(UnmetBid(bid, reason)
                         for bid, reason in unmet_bids(problem, built, solver, shifts, rules)),
        uncovered=tuple((day, code, int(solver.value(v))) for day, code, v in built.uncovered
                        if solver.value(v)),
        moved=sum(_value(solver, m) for m in built.moved),
        check=verdict, seed=problem.seed, time_limit_s=problem.time_limit_s)


def _value(solver: cp_model.CpSolver, expr: object) -> int:
    """The value of a term in the solution (terms may be plain constants)."""
    return int(expr) if isinstance(expr, int | float) else int(solver.value(expr))
