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
from planning.roster_greedy import construct
from planning.roster_lns import Incumbent, improve
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
    first_solution_s: float | None = None  # when CP-SAT had its first plan

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


#: Share of the time limit spent re-planning a few people at a time (planning.roster_lns)
#: before the whole-model solve, which also proves the bound; teams up to this size skip
#: it (CP-SAT alone solves them).
LNS_SHARE = 0.65
LNS_MIN_PEOPLE = 6


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    """Notes when CP-SAT reports its first plan (seconds since ``started``)."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first_s: float | None = None

    def on_solution_callback(self) -> None:
        if self.first_s is None:
            self.first_s = time.perf_counter() - self.started


@dataclass(frozen=True)
class _Completed:
    """The constructive plan as a full assignment of the model's variables."""

    solver: cp_model.CpSolver
    solution: list[int]
    wall_s: float

    def __len__(self) -> int:
        return len(self.solution)


def _complete(built: RosterModel, shifts: tuple[Shift, ...], problem: RosterProblem,
              started: float) -> _Completed | None:
    """Every variable's value (breaches, rests, fairness…) for the constructive plan:
    CP-SAT on a copy of the model with the shifts fixed. A hint of every variable lets
    CP-SAT start from the plan at once; a hint of the shifts alone is often dropped
    after a few conflicts on the helper variables. None when the plan does not fit the
    model (minimum staffing, a ground rule the construction does not promise)."""
    fixed = cp_model.CpModel()
    fixed.proto.copy_from(built.model.proto)
    chosen = {(s.employee, s.day, (s.shift_id or "").rsplit("/", 1)[-1]) for s in shifts}
    for key, lit in built.x.items():
        fixed.add(lit == int(key in chosen))
    limit = max(min(problem.time_limit_s / 4, 5.0), 0.5)
    solver = make_solver(SolveSettings(limit, problem.seed, 1))
    status = solver.solve(fixed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return _Completed(solver, list(solver.response_proto.solution),
                      time.perf_counter() - started)


def _keep_coverage(built: RosterModel, solver: cp_model.CpSolver) -> None:
    """Uncovered demand comes first (issue 3: "in this order"), but its weight is not
    infinite: enough soft breaches could outweigh one missing person. A plan with this
    much coverage exists (``solver``'s), so the lexicographic optimum has at most as
    little: say so as a constraint, and no plan trades coverage for anything else."""
    short = [t.expr for t in built.terms if t.part == "uncovered"]
    if short:
        built.model.add(sum(short) <= sum(int(solver.value(e)) for e in short))


def propose(problem: RosterProblem) -> RosterProposal | RosterInfeasible:
    """Solve the roster problem within ``problem.time_limit_s`` using ``problem.seed``.

    A constructive plan (``planning.roster_greedy``: the current plan where it still
    fits, then the demand filled greedily, no hard rule broken) is CP-SAT's hint, so a
    full plan exists within seconds; CP-SAT improves it and proves its bound.
    """
    started = time.perf_counter()
    rules = problem.rules()
    first = construct(problem, rules)
    built = RosterModel(problem, rules)
    post_objective(built)
    completed = _complete(built, first, problem, started)
    incumbent = None
    if completed is None:  # e.g. minimum staffing not met: hint the shifts, CP-SAT repairs
        built.hint(first)
    else:
        incumbent = Incumbent(completed.solution, completed.solver.objective_value,
                              completed.solver)
        _keep_coverage(built, completed.solver)
        if len(problem.members) > LNS_MIN_PEOPLE and incumbent.objective > 0:
            incumbent, _ = improve(built, incumbent,
                                   started + LNS_SHARE * problem.time_limit_s, problem.seed,
                                   problem.workers)
        built.model.proto.solution_hint.vars.extend(range(len(incumbent.solution)))
        built.model.proto.solution_hint.values.extend(incumbent.solution)
    left = max(problem.time_limit_s - (time.perf_counter() - started), 0.5)  # build counts
    solver = make_solver(SolveSettings(left, problem.seed, problem.workers))
    solver.parameters.repair_hint = completed is None
    # One presolve round: later rounds cost seconds on a busy machine for little gain.
    solver.parameters.max_presolve_iterations = 1
    progress = _FirstSolution(started)
    status = solver.solve(built.model, progress)
    bound = solver.best_objective_bound
    if incumbent is not None and (status == cp_model.UNKNOWN or (
            status == cp_model.FEASIBLE and solver.objective_value > incumbent.objective)):
        # No time for CP-SAT to reach the hint: the best plan found so far is the answer.
        solver, status = incumbent.solver, cp_model.FEASIBLE
    if completed is not None:  # the first full plan was the constructive one
        progress.first_s = completed.wall_s
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
        bound=bound, status=STATUS_NAMES[status],
        proven_optimal=status == cp_model.OPTIMAL,
        wall_time_s=time.perf_counter() - started,
        unmet_bids=tuple(UnmetBid(bid, reason)
                         for bid, reason in unmet_bids(problem, built, solver, shifts, rules)),
        uncovered=tuple((day, code, int(solver.value(v))) for day, code, v in built.uncovered
                        if solver.value(v)),
        moved=sum(_value(solver, m) for m in built.moved),
        check=verdict, seed=problem.seed, time_limit_s=problem.time_limit_s,
        first_solution_s=progress.first_s)


def _value(solver: cp_model.CpSolver, expr: object) -> int:
    """The value of a term in the solution (terms may be plain constants)."""
    return int(expr) if isinstance(expr, int | float) else int(solver.value(expr))
