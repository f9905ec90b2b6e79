"""Large-neighbourhood search for the roster: re-plan a few people at a time.

The breaches that remain after the constructive plan (a person a few hours outside
the norm band, a weekend too many) need several people's shifts to move together
across the period. CP-SAT's own neighbourhoods are generic; here the steps
alternate between keeping every shift of all but a handful of members fixed — the
member with the most penalty, members who could take over uncovered demand, and
random colleagues — and keeping everything outside a window of days fixed, and let
CP-SAT re-plan the rest exactly (presolve off: most variables are fixed already).
A step costs a second or so; a better plan replaces the current one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planning.cpsat import SolveSettings, make_solver
from planning.roster_model import RosterModel

#: Parts of the objective that point at a person worth re-planning.
PERSONAL_PARTS = ("soft_rules", "moved", "bids", "continuity")


@dataclass
class Incumbent:
    """The best plan so far: every variable's value, its objective and its solver."""

    solution: list[int]
    objective: float
    solver: cp_model.CpSolver


def improve(built: RosterModel, incumbent: Incumbent, deadline: float, seed: int,
            workers: int, step_s: float = 1.5, size: int = 4,
            window_days: int = 10) -> tuple[Incumbent, int]:
    """Re-plan small groups of people until ``deadline`` (perf_counter seconds).

    Returns the best plan and how many steps improved it.
    """
    rng = random.Random(seed)
    people = [m.employee for m in built.members]
    days = built.days
    improved = steps = 0
    while time.perf_counter() + 0.3 < deadline:
        steps += 1
        if steps % 2:  # a few people, the whole period
            group = _choose(built, incumbent, people, rng, size)
            free = {key for key in built.x if key[0] in group}
        else:  # everyone, a window of days
            first = rng.randrange(max(len(days) - window_days, 0) + 1)
            span = set(days[first:first + window_days])
            free = {key for key in built.x if key[1] in span}
            group = {f"{days[first]}+{window_days}"}
        sub = cp_model.CpModel()
        sub.proto.copy_from(built.model.proto)
        for key, lit in built.x.items():
            if key not in free:
                index = lit.Index()
                domain = sub.proto.variables[index].domain
                domain[0] = domain[1] = incumbent.solution[index]
        sub.proto.solution_hint.vars.extend(range(len(incumbent.solution)))
        sub.proto.solution_hint.values.extend(incumbent.solution)
        limit = min(step_s, deadline - time.perf_counter())
        solver = make_solver(SolveSettings(max(limit, 0.1), seed + steps, workers))
        solver.parameters.cp_model_presolve = False  # most variables are fixed already
        status = solver.solve(sub)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and \
                solver.objective_value < incumbent.objective - 0.5:
            incumbent = Incumbent(list(solver.response_proto.solution),
                                  solver.objective_value, solver)
            improved += 1
    return incumbent, improved


def _choose(built: RosterModel, incumbent: Incumbent, people: Sequence[str],
            rng: random.Random, size: int) -> set[str]:
    """The person with the most personal penalty (drawn by weight), someone who could
    cover uncovered demand, and random colleagues up to ``size``."""
    solver = incumbent.solver
    badness = dict.fromkeys(people, 0.0)
    for term in built.terms:
        if term.part in PERSONAL_PARTS and term.employee in badness:
            value = term.expr if isinstance(term.expr, int | float) else solver.value(term.expr)
            badness[term.employee] += term.coefficient * value
    group: set[str] = set()
    weighted = [(e, w) for e, w in badness.items() if w > 0]
    if weighted:
        names, weights = zip(*weighted, strict=True)
        group.add(rng.choices(names, weights)[0])
    short = [(day, code) for day, code, var in built.uncovered if solver.value(var) > 0]
    if short:
        day, code = rng.choice(short)
        able = [e for e in people if (e, day, code) in built.x]
        if able:
            group.add(rng.choice(able))
    while len(group) < min(size, len(people)):
        group.add(rng.choice(people))
    return group
