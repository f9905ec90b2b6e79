"""Propose a roster: build the CP-SAT model, solve with an explicit time limit and seed,
verify the plan with the rule checker, and explain what was not met.

``propose(problem)`` returns a ``RosterProposal`` — or a ``RosterInfeasible`` naming, in
Danish, the rules, people and days that cannot all hold (issue 3 items 4–6).

The objective is minimised in lexicographic stages (``STAGES``): uncovered demand;
broken soft rules with moved shifts; then bids, fairness, continuity and money. Each
stage starts from the best plan so far, finds its bound (CP-SAT's LP), searches
(``planning.roster_lns``) until it reaches the bound or its time share is spent, and
is then held at its value (a constraint) in the later stages. The proposal's bound
is the sum of the stages' bounds: a lower bound on the weighted objective among the
plans that are optimal in this order. It bounds the plain weighted sum only where
the weights are lexicographic themselves (one soft-rule unit outweighing every bid,
fairness and money term together), which the default weights are not for a team
with many bids.
"""

from __future__ import annotations

import logging
import math
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
from planning.rules import Catalogue

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
    #: The lexicographic stages (``STAGES``), each with its value, bound and proof.
    stages: tuple[StageResult, ...] = ()

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


log = logging.getLogger(__name__)

#: The lexicographic stages of the objective (issue 3: "in this order"): each stage
#: minimises its parts with every earlier stage held at the value it reached, so
#: coverage is never traded for a softer part. Within a stage the configured weights
#: still trade: moved shifts sit with the soft rules (a re-solve moves at most
#: weights.soft_rule × weight / weights.moved shifts to mend one unit of breach, as
#: before the stages, so small changes stay small), and the last stage weighs bids,
#: fairness, continuity and money.
STAGES: tuple[tuple[str, ...], ...] = (
    ("uncovered",), ("soft_rules", "moved"),
    ("bids", "fairness", "continuity", "costs"))
#: At most this share of the time left goes to a stage that is not the last one (it
#: usually proves its optimum long before, and hands the rest on).
STAGE_SHARE = 0.75
#: Share of a stage's time spent re-planning a few people at a time
#: (planning.roster_lns) before the whole-model solve, which also proves the bound;
#: teams up to LNS_MIN_PEOPLE skip it (CP-SAT alone solves them).
LNS_SHARE = 0.65
LNS_MIN_PEOPLE = 6
#: Before the search, a short whole-model solve finds the stage's bound (its LP), so
#: the search stops as soon as it reaches it.
PROBE_SHARE = 0.15
PROBE_MIN_S = 3.0  # the LP takes a few seconds on a busy machine


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


@dataclass(frozen=True)
class StageResult:
    """One lexicographic stage: the value its parts reached, the proven lower bound on
    that value (given the earlier stages), and whether the two meet."""

    parts: tuple[str, ...]
    value: int
    bound: int
    proven_optimal: bool
    wall_s: float


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


def _stage_expr(built: RosterModel, parts: tuple[str, ...]) -> cp_model.LinearExprT:
    return sum(t.coefficient * t.expr for t in built.terms if t.part in parts)


def _stage_value(built: RosterModel, parts: tuple[str, ...],
                 solver: cp_model.CpSolver) -> int:
    return sum(t.coefficient * _value(solver, t.expr) for t in built.terms
               if t.part in parts)


def _hint(built: RosterModel, solution: list[int]) -> None:
    built.model.clear_hints()
    built.model.proto.solution_hint.vars.extend(range(len(solution)))
    built.model.proto.solution_hint.values.extend(solution)


def _cpsat(built: RosterModel, problem: RosterProblem, limit: float, repair: bool,
           callback: cp_model.CpSolverSolutionCallback | None = None,
           presolve: bool = True) -> tuple[cp_model.CpSolver, int]:
    solver = make_solver(SolveSettings(max(limit, 0.1), problem.seed, problem.workers))
    solver.parameters.repair_hint = repair
    # One presolve round: later rounds cost seconds on a busy machine for little gain.
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.cp_model_presolve = presolve
    return solver, solver.solve(built.model, callback)


def _lower_bound(solver: cp_model.CpSolver, value: int) -> int:
    """CP-SAT's proven bound on an integer stage objective, rounded up; every part is a
    non-negative sum, so 0 holds when CP-SAT has none yet."""
    bound = solver.best_objective_bound
    if not math.isfinite(bound):
        return 0
    return min(max(math.ceil(bound - 1e-6), 0), value)


def _run_stage(built: RosterModel, problem: RosterProblem, parts: tuple[str, ...],
               incumbent: Incumbent, deadline: float, last: bool,
               ) -> tuple[Incumbent, StageResult]:
    """Minimise the stage's parts from the incumbent until ``deadline``: a short
    whole-model solve for the bound, then re-planning a few people at a time
    (planning.roster_lns) until it is reached, then the whole model again to prove
    it. Returns the best plan (its objective is the stage's value) and the stage."""
    started = time.perf_counter()
    built.model.minimize(_stage_expr(built, parts))
    value = _stage_value(built, parts, incumbent.solver)
    incumbent = Incumbent(incumbent.solution, value, incumbent.solver)
    bound = 0  # every part is a non-negative sum
    search = len(problem.members) > LNS_MIN_PEOPLE
    phases = ("probe", "search", "prove") if search else ("prove",)
    for phase in phases if value > 0 else ():
        left = deadline - time.perf_counter()
        if left <= 0.2 or bound >= incumbent.objective:
            break
        if phase == "search":
            incumbent, _ = improve(built, incumbent,
                                   time.perf_counter() + LNS_SHARE * left, problem.seed,
                                   problem.workers, parts=parts, target=bound)
            log.debug("stage %s search: %s", parts, incumbent.objective)
            continue
        _hint(built, incumbent.solution)
        limit = min(left, max(PROBE_SHARE * left, PROBE_MIN_S)) if phase == "probe" \
            else left
        # The probe skips presolve: it is there for the LP bound, which comes sooner.
        solver, status = _cpsat(built, problem, limit, repair=False,
                                presolve=phase != "probe")
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = _stage_value(built, parts, solver)
            if found < incumbent.objective or status == cp_model.OPTIMAL:
                incumbent = Incumbent(list(solver.response_proto.solution), found, solver)
        bound = max(bound, _lower_bound(solver, int(incumbent.objective)))
        log.debug("stage %s %s: %s %s ≥ %s in %.1f s", parts, phase,
                  solver.status_name(status), incumbent.objective, bound, solver.wall_time)
    value = int(incumbent.objective)
    if not last:  # later stages keep this stage's value: no trading it away
        built.model.add(_stage_expr(built, parts) <= value)
    return incumbent, StageResult(parts, value, min(bound, value), bound >= value,
                                  time.perf_counter() - started)


def _first_plan(built: RosterModel, problem: RosterProblem, first: tuple[Shift, ...],
                started: float) -> tuple[Incumbent | None, int, float | None]:
    """A first full plan when the constructive one does not fit the model (e.g. minimum
    staffing not met): CP-SAT minimises uncovered demand from the shifts as a hint and
    repairs it. Returns the plan (None if none), the solve status and when it came."""
    parts = STAGES[0]
    built.model.minimize(_stage_expr(built, parts))
    built.hint(first)
    progress = _FirstSolution(started)
    left = problem.time_limit_s - (time.perf_counter() - started)
    solver, status = _cpsat(built, problem, max(STAGE_SHARE * left, 0.5), repair=True,
                            callback=progress)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status, progress.first_s
    value = _stage_value(built, parts, solver)
    return Incumbent(list(solver.response_proto.solution), value, solver), status, \
        progress.first_s


def propose(problem: RosterProblem) -> RosterProposal | RosterInfeasible:
    """Solve the roster problem within ``problem.time_limit_s`` using ``problem.seed``.

    A constructive plan (``planning.roster_greedy``: the current plan where it still
    fits, then the demand filled greedily, no hard rule broken) is the first plan, so
    a full plan exists within seconds. Then the objective is minimised stage by stage
    (``STAGES``): uncovered demand, then broken soft rules with coverage held, then
    the rest with both held — each stage starting from the best plan so far and
    proving its own bound. The proposal's ``bound`` is the sum of the stages' bounds:
    a lower bound on the weighted objective of every plan that is lexicographically
    optimal in the stages' order (``stages`` says which stage is proven optimal).
    """
    started = time.perf_counter()
    deadline = started + problem.time_limit_s
    rules = problem.rules()
    first = construct(problem, rules)
    built = RosterModel(problem, rules)
    post_objective(built)
    completed = _complete(built, first, problem, started)
    if completed is not None:
        incumbent: Incumbent | None = Incumbent(
            completed.solution, completed.solver.objective_value, completed.solver)
        first_s: float | None = completed.wall_s
    else:
        incumbent, status, first_s = _first_plan(built, problem, first, started)
        if incumbent is None:
            return _no_plan(problem, rules, status, started)
    stages: list[StageResult] = []
    for i, parts in enumerate(STAGES):
        last = i == len(STAGES) - 1
        left = deadline - time.perf_counter()
        stage_deadline = deadline if last else time.perf_counter() + STAGE_SHARE * left
        incumbent, result = _run_stage(built, problem, parts, incumbent, stage_deadline,
                                       last)
        stages.append(result)
    return _proposal(problem, rules, built, incumbent.solver, tuple(stages), started,
                     first_s)


def _no_plan(problem: RosterProblem, rules: Catalogue, status: int, started: float,
             ) -> RosterInfeasible:
    if status == cp_model.INFEASIBLE:
        remaining = max(problem.time_limit_s - (time.perf_counter() - started), 2.0)
        message, conflicts = explain_infeasible(problem, rules, remaining)
        return RosterInfeasible("INFEASIBLE", message, conflicts,
                                time.perf_counter() - started)
    return RosterInfeasible(
        STATUS_NAMES[status],
        f"Der blev ikke fundet nogen vagtplan inden for {problem.time_limit_s:g} sekunder. "
        "Giv planlæggeren mere tid, eller løsn nogle af kravene.",
        (), time.perf_counter() - started)


def _proposal(problem: RosterProblem, rules: Catalogue, built: RosterModel,
              solver: cp_model.CpSolver, stages: tuple[StageResult, ...], started: float,
              first_s: float | None) -> RosterProposal:
    """The checked proposal for the plan in ``solver``."""
    shifts = built.shifts(solver)
    verdict = check(problem.plan(shifts), rules)
    if verdict.hard:
        first = verdict.hard[0]
        raise RosterModelError(f"{first.rule} posted differently than checked: {first.detail}")
    parts = {part: 0 for part in PARTS}
    for term in built.terms:
        parts[term.part] += term.coefficient * _value(solver, term.expr)
    proven = all(s.proven_optimal for s in stages)
    return RosterProposal(
        shifts=shifts, objective=sum(parts.values()), objective_parts=parts,
        bound=float(sum(s.bound for s in stages)),
        status="OPTIMAL" if proven else "FEASIBLE", proven_optimal=proven,
        wall_time_s=time.perf_counter() - started,
        unmet_bids=tuple(UnmetBid(bid, reason)
                         for bid, reason in unmet_bids(problem, built, solver, shifts, rules)),
        uncovered=tuple((day, code, int(solver.value(v))) for day, code, v in built.uncovered
                        if solver.value(v)),
        moved=sum(_value(solver, m) for m in built.moved),
        check=verdict, seed=problem.seed, time_limit_s=problem.time_limit_s,
        first_solution_s=first_s, stages=stages)


def _value(solver: cp_model.CpSolver, expr: object) -> int:
    """The value of a term in the solution (terms may be plain constants)."""
    return int(expr) if isinstance(expr, int | float) else int(solver.value(expr))
